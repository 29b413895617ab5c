"""PHI canary sweep (issue 9): a made-up patient in note text, PDF metadata and file names appears nowhere
it should not, on the CLI, in a hostile batch and with every logger at DEBUG.

What is swept, and what is the product's answer (allowed to quote the chart):

- Text and metadata canaries (name, MRN, date of birth inside documents or their PDF Info) must be in
  no log record (stdlib root and loguru, DEBUG, message and arguments), nowhere on stderr, in no error
  or warning string (review JSON `errors`/`warnings`, batch `errors.csv`, summary error columns,
  exception messages), and in no file left in the temporary folder (names or contents). The review
  output itself (stdout of `chartsift review`, `--html`, the batch's results and reports) is the answer
  to the reviewer and may quote the chart: it is parsed, not swept, except its error/warning fields.
- File-name canaries (a sender named the file after the patient): the name is the user's own label
  for the file and is shown back exactly where a user must find the failing file: the CLI error line
  `chartsift: error [code] NAME: reason` (issue 2), the review JSON's document names, and the batch
  outputs. It must be in no log record, in no temporary file name or content, and nowhere else on stderr.
- The web surface (issue 6: every error body 400/401/403/404/413/415/422/500, a failing review, headers,
  logs with SQL echo, the data and temporary folders and the text-free tables) is swept by
  tests/web/test_phi_web.py.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from hostile_harness import load_make_hostile
from phi_capture import debug_capture

mh = load_make_hostile()
TEXT_CANARIES = mh.CANARIES  # name, surname, given name, MRN digits, DOB
FILE_CANARY = "Quackenbush_Zebulon_MRN99887766"
FILE_CANARIES = ("Quackenbush", "Zebulon", "99887766")
ERROR_LINE = re.compile(r"^chartsift: error \[[a-z_]+\] (?P<name>[^\n]*?): (?P<reason>[^\n]*)$")


def _case(folder: Path) -> Path:
    """A case whose every document carries the canaries (text, metadata or file name), good and hostile."""
    folder.mkdir(parents=True)
    (folder / "visit.txt").write_bytes(mh.text_note())
    (folder / "packet.pdf").write_bytes(mh.good_note_pdf())  # canaries in text and in /Title /Author /Subject
    (folder / f"{FILE_CANARY}.pdf").write_bytes(mh.good_note_pdf())
    (folder / f"{FILE_CANARY}_truncated.pdf").write_bytes(mh.good_note_pdf()[:700])
    good = mh.good_note_pdf()
    (folder / "metadata_no_xref.pdf").write_bytes(good[:good.index(b"xref")])  # Info object kept, xref cut
    (folder / "not_a_pdf.pdf").write_bytes(mh.text_note())
    (folder / "encrypted.pdf").write_bytes(mh.encrypted_pdf(b"user-secret"))
    (folder / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + mh.text_note() * 3 + b"\x00\xff" * 50)
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 200 + mh.text_note())
    return folder


@pytest.fixture
def sweep(tmp_path, monkeypatch, caplog):
    """Every log at DEBUG (stdlib root + loguru), a private temporary folder, captured as text."""
    with debug_capture(tmp_path, monkeypatch, caplog) as (sink, tmp):
        def logs() -> str:
            records = [f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
            return sink.getvalue() + "\n".join(records) + caplog.text

        yield logs, tmp


def _leftovers(tmp: Path) -> list[str]:
    """Canaries in names or contents of anything left in the temporary folder."""
    found = []
    for path in tmp.rglob("*"):
        blob = path.name + (path.read_bytes().decode("latin-1") if path.is_file() else "")
        found += [f"{path.name}: {c}" for c in TEXT_CANARIES + FILE_CANARIES if c in blob]
    return found


def _assert_clean(where: str, text: str, canaries=TEXT_CANARIES + FILE_CANARIES) -> None:
    hits = [c for c in canaries if c in text]
    assert not hits, f"canary {hits} in {where}"


def _stderr_outside_error_lines(err: str) -> str:
    """stderr less the CLI's error lines; each error line's reason is checked for canaries on its own."""
    rest = []
    for line in err.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            _assert_clean("a CLI error reason", match["reason"])
            _assert_clean("a CLI error line", match["name"], TEXT_CANARIES[:1] + TEXT_CANARIES[-1:])
        else:
            rest.append(line)
    return "\n".join(rest)


@pytest.mark.parametrize("mode", [pytest.param(["--json"], id="json"), pytest.param(["--text"], id="text"),
                                  pytest.param(["--json", "--html"], id="html")])
def test_cli_review_leaks_no_canary(tmp_path, capfd, sweep, mode):
    from chartsift.cli import main

    logs, tmp = sweep
    case = _case(tmp_path / "case")
    argv = ["review", str(case), *mode] + ([str(tmp_path / "out.html")] if "--html" in mode else [])
    assert main(argv) == 3
    out, err = capfd.readouterr()
    assert out.strip(), "the case was reviewed"
    if "--json" in mode:
        answer = json.loads(out)
        assert answer["facts"], "the readable documents were reviewed"
        assert {e["code"] for e in answer["errors"]} >= {"truncated", "not_a_pdf", "encrypted", "unsupported_type"}
        _assert_clean("the review's errors/warnings", json.dumps(answer["errors"] + answer["warnings"]),
                      TEXT_CANARIES[:1] + ("99887766 ", "DOB"))
        for error in answer["errors"]:
            _assert_clean("an error message", error["message"])
    _assert_clean("stderr", _stderr_outside_error_lines(err))
    _assert_clean("logs", logs())
    assert _leftovers(tmp) == []


def test_hostile_batch_leaks_no_canary(tmp_path, capfd, sweep):
    from chartsift.screen import screen

    logs, tmp = sweep
    root = tmp_path / "in"
    _case(root / "CASE-1")
    for i, item in enumerate(["truncated_50pct.pdf", "page_tree_loop.pdf", "zero_bytes.pdf", "text_renamed.pdf"]):
        folder = root / f"HOSTILE-{i}"
        folder.mkdir()
        hostile = {h.name: h for h in mh.catalogue()}[item]
        (folder / f"{FILE_CANARY}.pdf").write_bytes(hostile.make())
    out = tmp_path / "out"
    report = screen(root, out, workers=1, timeout=120, memory_mb=3072)
    stdout, err = capfd.readouterr()
    assert report.total == 5
    _assert_clean("batch stdout/stderr (workers included)", stdout + err)
    _assert_clean("logs", logs())
    with (out / "errors.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            _assert_clean("errors.csv", " ".join(v for k, v in row.items() if k not in ("case_id", "document")),
                          TEXT_CANARIES)
    with (out / "summary.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            _assert_clean("summary.csv error columns", row["error_code"] + row["document_errors"], TEXT_CANARIES)
    for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
        answer = json.loads(line)
        for error in answer.get("errors", []):
            _assert_clean("a batch error message", error["message"])
    assert _leftovers(tmp) == []


@pytest.mark.parametrize("name", [pytest.param(h.name, id=ascii(h.name)[1:30]) for h in mh.catalogue()
                                  if not h.large])
def test_exception_messages_hold_no_document_text(name):
    """InputError's message names the file (here a neutral name) and the reason, never document content."""
    from extractor.ingest.errors import InputError
    from extractor.ingest.reader import ingest

    hostile = {h.name: h for h in mh.catalogue()}[name]
    data = hostile.make().replace(b"Flate bomb", mh.CANARY_NAME.encode())
    try:
        ingest(data, name="doc.pdf")
    except InputError as exc:
        _assert_clean("an InputError", f"{exc} {exc!r} {exc.reason} {exc.to_model().model_dump_json()}")
