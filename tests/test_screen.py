"""Bulk screening machinery (chartsift.screen) with a stand-in per-case function (tests/screen_helpers.py).

The product path (chartsift.api.review in the workers) is tested in test_screen_e2e.py.
"""
from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import screen_helpers as helpers

from chartsift.screen import ScreenInputError, screen
from chartsift.screen.inputs import discover, fingerprint

FAKE = {"case_function": "screen_helpers:fake_review", "init_function": "screen_helpers:fake_warm_up"}
REPO = Path(__file__).resolve().parent.parent


def _results(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def _summary(out: Path) -> dict[str, dict]:
    with (out / "summary.csv").open(newline="") as fh:
        return {row["case_id"]: row for row in csv.DictReader(fh)}


def _ledger(out: Path, query: str) -> list[tuple]:
    with sqlite3.connect(out / "ledger.sqlite") as db:
        return db.execute(query).fetchall()


# --- inputs --------------------------------------------------------------------------------------


def _manifest(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text("case_id,cpt,side,request_date,icd10,files\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("layout, expected", [
    pytest.param("folders", ["case-0000", "case-0001"], id="folder-of-case-folders"),
    pytest.param("flat", ["a", "b"], id="flat-folder-of-pdfs"),
    pytest.param("manifest", ["M-1", "M-2"], id="manifest-csv"),
])
def test_discover_layouts(tmp_path, layout, expected):
    if layout == "folders":
        source = helpers.make_cases(tmp_path, 2)
    elif layout == "flat":
        source = tmp_path / "pdfs"
        source.mkdir()
        for name in ("b", "a"):
            (source / f"{name}.pdf").write_bytes(helpers.text_pdf(name))
        (source / "notes.csv").write_text("ignored")
    else:
        helpers.make_cases(tmp_path, 2)
        source = _manifest(tmp_path, ["M-1,27279,left,2026-05-04,M46.1;M53.3,cases/case-0000/note.txt",
                                      "M-2,,,,,cases/case-0001"])
    cases = discover(source)
    assert [c.case_id for c in cases] == expected
    if layout == "manifest":
        assert cases[0].request.icd10 == ["M46.1", "M53.3"] and cases[0].request.side == "left"
        assert cases[1].paths == [tmp_path / "cases" / "case-0001"]


@pytest.mark.parametrize("rows, message", [
    pytest.param(["A,,,,,"], "required", id="no-files"),
    pytest.param(["A,,,05/04/2026,,x.pdf"], "request", id="bad-date"),
    pytest.param(["A,,middle,,,x.pdf"], "request", id="bad-side"),
])
def test_bad_manifest_is_refused(tmp_path, rows, message):
    with pytest.raises(ScreenInputError, match=message):
        discover(_manifest(tmp_path, rows))


def test_fingerprint_follows_document_bytes_and_settings(tmp_path):
    case = discover(helpers.make_cases(tmp_path, 1))[0]
    base = fingerprint(case, version="1", policy_id="P", max_pages=None)
    assert fingerprint(case, version="1", policy_id="P", max_pages=None) == base
    assert fingerprint(case, version="2", policy_id="P", max_pages=None) != base
    assert fingerprint(case, version="1", policy_id="P", max_pages=10) != base
    (case.documents[0]).write_text("changed\n")
    assert fingerprint(case, version="1", policy_id="P", max_pages=None) != base


# --- a batch -------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["manifest", "case-json"])
def test_a_duplicate_case_id_is_a_coded_error_and_the_batch_goes_on(tmp_path, layout):
    """Issue 17: one repeated id aborted the whole batch before it started. Now the first case with the id is
    reviewed, each later one is an error row `duplicate_case_id` (summary.csv, errors.csv, index.html, exit 3),
    every other case is reviewed, and a rerun has nothing left to do."""
    cases = helpers.make_cases(tmp_path, 4)
    if layout == "manifest":
        source = _manifest(tmp_path, ["A,,,,,cases/case-0000", "B,,,,,cases/case-0001", "A,,,,,cases/case-0002",
                                      "C,,,,,cases/case-0003"])
    else:
        source = cases
        for i, case_id in enumerate(["A", "B", "A", "C"]):
            (cases / f"case-{i:04d}" / "case.json").write_text(json.dumps({"case_id": case_id}))
    out = tmp_path / "out"
    report = screen(source, out, workers=1, timeout=30, **FAKE)
    assert (report.total, report.reviewed, report.errors) == (4, 3, 1)
    with (out / "summary.csv").open(newline="") as fh:
        rows = [(r["case_id"], r["status"], r["recommendation"], r["error_code"]) for r in csv.DictReader(fh)]
    assert rows == [("A", "done", "missing_documentation", ""), ("A", "error", "", "duplicate_case_id"),
                    ("B", "done", "meets_criteria", ""), ("C", "done", "meets_criteria", "")]  # by case id
    errors = list(csv.reader((out / "errors.csv").read_text().splitlines()))
    message = "input entry 3 has the case id of entry 1, which is reviewed; this one is not: give each case its " \
              "own id and rerun"
    assert errors[1:] == [["A", "", "duplicate_case_id", message]]
    assert [r["case_id"] for r in _results(out)] == ["A", "B", "C"]
    assert "duplicate_case_id" in (out / "index.html").read_text()
    again = screen(source, out, workers=1, timeout=30, **FAKE)
    assert (again.skipped, again.reviewed, again.errors) == (4, 0, 0)


def test_batch_writes_every_output_and_rerun_reviews_nothing(tmp_path):
    cases = helpers.make_cases(tmp_path, 6)
    out = tmp_path / "out"
    first = screen(cases, out, workers=2, timeout=30, **FAKE)
    assert (first.reviewed, first.skipped, first.errors) == (6, 0, 0)
    results = _results(out)
    assert [r["case_id"] for r in results] == [f"case-{i:04d}" for i in range(6)]
    summary = _summary(out)
    assert summary["case-0001"]["recommendation"] == "meets_criteria" and summary["case-0001"]["II.G"] == "met"
    assert summary["case-0000"]["missing_documentation"] == "procedure note of the injections"
    assert (out / "errors.csv").read_text().strip() == "case_id,document,code,message"
    index = (out / "index.html").read_text()
    assert all(f'href="cases/case-{i:04d}.html"' in index for i in range(6))
    assert "meets_criteria" in (out / "cases" / "case-0001.html").read_text()
    assert not list(out.glob(".*.tmp")) and not list((out / "cases").glob(".*.tmp"))

    second = screen(cases, out, workers=2, timeout=30, **FAKE)
    assert (second.reviewed, second.skipped) == (0, 6)
    assert _results(out) == results

    (cases / "case-0002" / "note.txt").write_text("note\nedited\nmet\n")
    third = screen(cases, out, workers=2, timeout=30, **FAKE)
    assert (third.reviewed, third.skipped) == (1, 5)
    assert len(_results(out)) == 6 and _summary(out)["case-0002"]["recommendation"] == "meets_criteria"


@pytest.mark.parametrize("first_line, code, timeout", [
    pytest.param("HANG", "timeout", 2, id="hang-times-out"),
    pytest.param("SEGV", "worker_crash", 30, id="native-crash"),
    pytest.param("HOG", "memory_limit", 30, id="memory-limit"),
    pytest.param("RAISE", "internal_error", 30, id="bug-reported-without-text"),
    pytest.param("BADREPLY", "internal_error", 30, id="reply-without-result"),
])
def test_a_failing_case_gets_a_coded_error_and_the_others_go_on(tmp_path, first_line, code, timeout):
    cases = helpers.make_cases(tmp_path, 5, {1: first_line})
    out = tmp_path / "out"
    report = screen(cases, out, workers=2, timeout=timeout, memory_mb=800, **FAKE)
    assert report.reviewed == 5 and report.errors == 1
    (row,) = _ledger(out, "SELECT case_id, error_code, error_message, seconds FROM cases WHERE status = 'error'")
    assert row[:2] == ("case-0001", code)
    assert row[3] < timeout + 5
    assert [r["case_id"] for r in _results(out)] == ["case-0000", "case-0002", "case-0003", "case-0004"]
    for name in ("errors.csv", "summary.csv", "index.html", "results.jsonl"):
        assert helpers.SECRET not in (out / name).read_text()
    assert _summary(out)["case-0001"]["error_code"] == code
    pids = {p for (p,) in _ledger(out, "SELECT worker_pid FROM cases") if p}
    assert not [p for p in pids if Path(f"/proc/{p}").exists() and "State:\tZ" not in Path(f"/proc/{p}/status").read_text()]


def test_crash_hook_kills_the_worker_and_a_new_one_takes_over(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTSIFT_SCREEN_CRASH_CASE", "case-0000")
    out = tmp_path / "out"
    report = screen(helpers.make_cases(tmp_path, 4), out, workers=1, timeout=30, **FAKE)
    assert report.errors == 1 and report.reviewed == 4
    assert _summary(out)["case-0000"]["error_code"] == "worker_crash"
    assert len({p for (p,) in _ledger(out, "SELECT worker_pid FROM cases")}) == 2  # the replacement did the rest


def test_retry_errors_reviews_error_cases_again(tmp_path):
    cases = helpers.make_cases(tmp_path, 3, {0: "RAISE"})
    out = tmp_path / "out"
    assert screen(cases, out, workers=1, timeout=30, **FAKE).errors == 1
    assert screen(cases, out, workers=1, **FAKE).reviewed == 0  # an error is a terminal status
    again = screen(cases, out, workers=1, retry_errors=True, **FAKE)
    assert (again.reviewed, again.errors) == (1, 1)
    assert len(_ledger(out, "SELECT * FROM cases")) == 3


def test_chartsift_screen_is_callable(tmp_path):
    import chartsift.screen

    report = chartsift.screen(helpers.make_cases(tmp_path, 1), tmp_path / "out", **FAKE)
    assert report.reviewed == 1


def test_parent_never_imports_spacy():
    code = ("import sys, chartsift.screen, chartsift.screen.dask_runner, chartsift.commands.screen, chartsift.cli; "
            "chartsift.cli.build_parser(); print(sorted(m for m in ('spacy', 'medspacy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"


# --- kill -9 of the parent -----------------------------------------------------------------------

_PARENT = ("import sys; from chartsift.screen import screen; "
           "screen(sys.argv[1], sys.argv[2], workers=2, timeout=30, checkpoint_s=0, "
           "case_function='screen_helpers:fake_review', init_function='screen_helpers:fake_warm_up')")


def _rows_done(out: Path) -> int:
    try:
        return _ledger(out, "SELECT count(*) FROM cases")[0][0]
    except sqlite3.Error:
        return 0


def _kill_when(proc: subprocess.Popen, out: Path, target: int) -> None:
    import time

    deadline = time.monotonic() + 60
    while _rows_done(out) < target and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()
    proc.wait()


def _wait_no_orphans(marker: str) -> list[int]:
    import time

    for _ in range(50):
        left = helpers.live_pids_with_env(marker)
        if not left:
            return []
        time.sleep(0.1)
    return left


def _check_outputs_parse(out: Path) -> None:
    if (out / "results.jsonl").exists():
        ids = [r["case_id"] for r in _results(out)]
        assert len(ids) == len(set(ids))
    for name in ("summary.csv", "errors.csv"):
        if (out / name).exists():
            with (out / name).open(newline="") as fh:
                list(csv.DictReader(fh))


@pytest.mark.parametrize("kills", [pytest.param(1, id="one-kill"),
                                   pytest.param(4, id="four-kills", marks=pytest.mark.slow)])
def test_kill_9_of_the_parent_loses_nothing_and_duplicates_nothing(tmp_path, kills):
    import random
    import uuid

    n = 30
    cases = helpers.make_cases(tmp_path, n)
    out = tmp_path / "out"
    marker = f"SCREEN_TEST_MARKER={uuid.uuid4().hex}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO)]),
           helpers.FAKE_DELAY_ENV: "0.03", marker.split("=")[0]: marker.split("=")[1]}
    rng = random.Random(7)
    for target in sorted(rng.sample(range(2, n - 2), kills)):
        proc = subprocess.Popen([sys.executable, "-c", _PARENT, str(cases), str(out)], env=env, cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _kill_when(proc, out, target)
        assert _wait_no_orphans(marker) == []
        _check_outputs_parse(out)
    done = subprocess.run([sys.executable, "-c", _PARENT, str(cases), str(out)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _wait_no_orphans(marker) == []
    ids = [r["case_id"] for r in _results(out)]
    assert sorted(ids) == [f"case-{i:04d}" for i in range(n)]
    assert _ledger(out, "PRAGMA integrity_check") == [("ok",)]
    assert _ledger(out, "SELECT count(*) FROM cases") == [(n,)]
    assert len(_summary(out)) == n
    _check_outputs_parse(out)
    assert not list(out.glob(".*.tmp"))


# --- progress and the command line ---------------------------------------------------------------


@pytest.mark.parametrize("kind", [pytest.param("plain", id="plain-lines"), pytest.param("rich", id="rich-bar")])
def test_progress_reports_rates_eta_and_errors(kind):
    import io

    from chartsift.screen.ledger import Outcome
    from chartsift.screen.progress import PlainProgress, RichProgress

    stream = io.StringIO()
    progress = PlainProgress(stream, interval=0) if kind == "plain" else RichProgress(stream)
    progress.start(total=4, skipped=1)
    progress.update(Outcome(case_id="a", status="done", pages=30))
    progress.update(Outcome(case_id="b", status="error", error_code="timeout"))
    progress.close()
    text = stream.getvalue()
    assert "cases/s" in text and "pages/s" in text and "1 errors" in text
    if kind == "plain":
        assert "ETA" in text and "3/4 cases (1 already done)" in text


@pytest.mark.parametrize("argv, code, message", [
    pytest.param(["screen", "{tmp}/nowhere", "--out", "{tmp}/out"], 2, "not a folder of cases", id="missing-input"),
    pytest.param(["screen", "{tmp}", "--out", "{tmp}/out", "--workers", "0"], 2, "--workers", id="no-workers"),
])
def test_screen_command_refuses_bad_arguments(tmp_path, argv, code, message):
    done = subprocess.run([sys.executable, "-m", "chartsift.cli", *[a.format(tmp=tmp_path) for a in argv]],
                          capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == code and message in done.stderr
