"""The CLI fails like a CLI (issue 17): a case with nothing to read is a coded line on stderr and exit 3, never a
review; document errors come before the review; a CPT the policy does not know is refused; a closed pipe is quiet;
a command whose optional extras are missing says in one line how to install them."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chartsift.cli import BROKEN_PIPE_EXIT, MISSING_EXTRA_EXIT, main
from models import INPUT_ERROR_EXIT, ReviewResult

REPO = Path(__file__).resolve().parents[1]
NOTE = ("Office visit\nDate of service: 01/05/2026\nLeft buttock pain for 8 months.\n"
        "FABER positive on the left. Thigh thrust positive on the left.\n")


def _docx(path: Path) -> Path:
    """A real .docx: a zip archive, binary, neither a PDF nor text."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document>\x00\x01 " + "words " * 500 + "</w:document>")
    return path


def _case(tmp: Path, kind: str) -> list[str]:
    """The command-line paths of one bad case."""
    folder = tmp / "case"
    folder.mkdir()
    if kind == "empty-folder":
        return [str(folder)]
    if kind == "docx-only-folder":
        _docx(folder / "notes.docx")
        return [str(folder)]
    if kind == "case-json-lists-nothing":
        (folder / "visit.txt").write_text(NOTE)
        (folder / "case.json").write_text(json.dumps({"case_id": "X-1", "documents": []}))
        return [str(folder)]
    if kind == "missing-path":
        return [str(tmp / "missing.pdf")]
    if kind == "docx-path":
        return [str(_docx(folder / "notes.docx"))]
    if kind == "missing-folder":
        return [str(tmp / "no-such-case")]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, code, names", [
    pytest.param("empty-folder", "case_unreadable", "case: no document in the case folder", id="empty-folder"),
    pytest.param("docx-only-folder", "case_unreadable", "1 other file(s), of type .docx", id="docx-only-folder"),
    pytest.param("case-json-lists-nothing", "case_unreadable", "case: no document", id="case-json-lists-nothing"),
    pytest.param("missing-path", "unreadable_path", "missing.pdf: no such file", id="missing-path"),
    pytest.param("missing-folder", "unreadable_path", "no-such-case: no such file", id="missing-folder"),
    pytest.param("docx-path", "unsupported_type", "notes.docx: neither a PDF", id="docx-path"),
])
def test_a_case_with_nothing_readable_is_one_coded_line_and_no_review(tmp_path, capsys, kind, code, names):
    html = tmp_path / "review.html"
    assert main(["review", *_case(tmp_path, kind), "--html", str(html)]) == INPUT_ERROR_EXIT
    out, err = capsys.readouterr()
    assert out == "" and not html.exists(), "a review of nothing was printed"
    [line] = err.strip().splitlines()
    assert line.startswith(f"chartsift: error [{code}] ") and names in line


def test_errors_come_first_and_the_readable_documents_are_still_reviewed(tmp_path):
    """One process, stderr merged into stdout: the coded line is the first line, then the review, exit 3; the
    ingest log line does not say it a second time."""
    (tmp_path / "visit.txt").write_text(NOTE)
    docx = _docx(tmp_path / "letter.docx")
    proc = subprocess.run([sys.executable, "-m", "chartsift.cli", "review", str(tmp_path / "visit.txt"), str(docx),
                           "--cpt", "27279"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == INPUT_ERROR_EXIT
    expected = "chartsift: error [unsupported_type] letter.docx: neither a PDF nor a UTF-8 text file"
    assert proc.stderr.splitlines() == [expected]
    result = ReviewResult.model_validate_json(proc.stdout)
    assert [e.code.value for e in result.errors] == ["unsupported_type"] and result.facts


def test_nothing_readable_in_a_real_process_is_one_stderr_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chartsift.cli", "review", str(tmp_path / "missing.pdf")],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert (proc.returncode, proc.stdout) == (INPUT_ERROR_EXIT, "")
    assert proc.stderr.splitlines() == ["chartsift: error [unreadable_path] missing.pdf: no such file"]


@pytest.mark.parametrize("where", ["command-line", "case.json"])
def test_a_cpt_the_policy_does_not_know_is_refused(tmp_path, capsys, where):
    """CPT 99999 is no procedure of CP.MP.126: no criterion of the policy applies to it, so neither met nor
    not met is true of it; the request is wrong, as an unknown policy is (exit 2), and nothing is reviewed."""
    (tmp_path / "visit.txt").write_text(NOTE)
    (tmp_path / "case.json").write_text(json.dumps({"case_id": "C-1", "request": {"cpt": "99999"}}
                                                   if where == "case.json" else {"case_id": "C-1"}))
    args = ["review", str(tmp_path), *(["--cpt", "99999"] if where == "command-line" else [])]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.strip().splitlines()
    assert line.startswith("chartsift: error [unknown_cpt] CPT 99999 is not a procedure of CP.MP.126")
    assert "27279" in line and "27280" in line and "--allow-unknown-cpt" in line


def test_allow_unknown_cpt_reviews_with_the_warning(tmp_path, capsys):
    (tmp_path / "visit.txt").write_text(NOTE)
    assert main(["review", str(tmp_path), "--cpt", "99999", "--allow-unknown-cpt"]) == 0
    result = ReviewResult.model_validate_json(capsys.readouterr().out)
    assert any("CPT 99999 is not a procedure of CP.MP.126" in w for w in result.warnings)


@pytest.mark.parametrize("args", [
    pytest.param(["schema"], id="schema"),
    pytest.param(["policy", "list"], id="policy-list"),
    pytest.param(["policy", "show", "CP.MP.126"], id="policy-show"),
])
def test_a_closed_pipe_is_quiet(args):
    """`chartsift schema | head`: the reader is gone before the command writes; no traceback, exit 128 + SIGPIPE."""
    proc = subprocess.Popen([sys.executable, "-m", "chartsift.cli", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == BROKEN_PIPE_EXIT
    assert err == ""


@pytest.mark.parametrize("command, module", [
    pytest.param(["serve"], "uvicorn", id="serve-without-uvicorn"),
    pytest.param(["serve"], "fastapi", id="serve-without-fastapi"),
    pytest.param(["audit", "verify"], "sqlalchemy", id="audit-without-sqlalchemy"),
])
def test_a_command_without_its_extras_says_how_to_install_them(tmp_path, command, module):
    """A process in which `import MODULE` fails as it does when the web extras are not installed."""
    code = (f"import sys; sys.modules[{module!r}] = None; from chartsift.cli import main; "
            f"sys.exit(main({[*command, '--data-dir', str(tmp_path)]!r}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == MISSING_EXTRA_EXIT and proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert f"module {module} is not installed" in line and "pip install 'chartsift[web]'" in line
