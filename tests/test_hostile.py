"""Hostile input corpus (issue 9) through the API, the CLI and the batch; the web upload
and its review worker are covered by tests/web/test_hostile_web.py, which reuses this file's budgets.

Each fixture of tests/fixtures/hostile/make_hostile.py (generated once per session into a temporary
folder, never committed) must end in one of the outcomes its catalogue entry allows (its coded
error, or a review result) within its time budget, in a child process under RLIMIT_AS, and the
surface must stay healthy: the API child answers a good chart correctly afterwards, the CLI
exits with its input-error code, the batch leaves every case terminal and no orphan processes.
The API child and the batch review with a 500-page limit; the CLI (which has no page limit) gets
every fixture but the 2,000-page PDF, as the documents of one case.
Times are recorded, not asserted tightly (the budgets are generous ceilings against hangs).
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import screen_helpers
from hostile_harness import MEMORY_MB, REPO, ApiRunner, child_env, limited, load_make_hostile

mh = load_make_hostile()
CATALOGUE = {h.name: h for h in mh.catalogue()}
#: ceilings per fixture (seconds): against hangs, not a benchmark (the machine is shared)
BUDGET_S = {"dense_200k_chars.pdf": 60.0, "fuzz_one_word_page.pdf": 60.0}
DEFAULT_BUDGET_S = 30.0
#: not given to the CLI: `chartsift review` has no page limit, and 2,000 pages take minutes there
#: (the API and the batch refuse it with their page limit, too_many_pages)
CLI_SKIP = {"pages_2000.pdf"}
BATCH_TIMEOUT_S = 60.0
BATCH_MAX_PAGES = 500
TIMINGS: dict[str, dict[str, float]] = {}


def _id(name: str) -> str:
    return ascii(name)[1:-1][:40]


NAMES = [pytest.param(name, id=_id(name)) for name in CATALOGUE]


@pytest.fixture(scope="session")
def hostile_files(tmp_path_factory) -> dict[str, Path]:
    return mh.build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def good_chart(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "visit.pdf"
    path.write_bytes(mh.good_note_pdf())
    return path


# ---------------------------------------------------------------- API: chartsift.api.review

@pytest.fixture(scope="module")
def api_outcomes(hostile_files, good_chart):
    runner = ApiRunner()
    before = runner.review(good_chart, 120.0)  # also loads the NLP once
    outcomes = {name: runner.review(path, BUDGET_S.get(name, DEFAULT_BUDGET_S)) for name, path in hostile_files.items()}
    after = runner.review(good_chart, 60.0)
    healthy = runner.healthy() and runner.restarts == 0
    runner.close()
    TIMINGS["api"] = {name: o.seconds for name, o in outcomes.items()}
    return outcomes, before, after, healthy


@pytest.mark.parametrize("name", NAMES)
def test_api_gives_a_coded_error_or_a_result(api_outcomes, name):
    outcome = api_outcomes[0][name]
    assert outcome.outcome in CATALOGUE[name].outcomes, f"{name!a}: {outcome}"
    assert outcome.seconds < BUDGET_S.get(name, DEFAULT_BUDGET_S)


def test_api_process_stays_healthy_after_every_hostile_file(api_outcomes):
    _, before, after, healthy = api_outcomes
    assert healthy, "the API child crashed or timed out on some fixture"
    assert before.outcome == after.outcome == "result" and before.detail["facts"] > 0
    assert {k: v for k, v in after.detail.items() if k != "seconds"} == \
        {k: v for k, v in before.detail.items() if k != "seconds"}


@pytest.mark.parametrize("stream_name", [pytest.param(n, id=_id(n)) for n in mh.STREAM_NAMES])
@pytest.mark.parametrize("payload", [pytest.param("good", id="good-pdf"), pytest.param("trunc", id="truncated"),
                                     pytest.param("empty", id="empty")])
def test_stream_names_are_labels_never_paths(tmp_path, monkeypatch, stream_name, payload):
    """Names a file system refuses (NUL, '../', 300 characters, RTL override) through the stream surface."""
    from extractor.ingest.errors import InputError
    from extractor.ingest.reader import ingest

    data = {"good": mh.good_note_pdf(), "trunc": mh.truncated(0.5)(), "empty": b""}[payload]
    monkeypatch.chdir(tmp_path)
    try:
        doc = ingest(data, name=stream_name)
        assert payload == "good" and doc.name == stream_name and doc.pages == 1
    except InputError as exc:
        assert payload != "good" and exc.document == stream_name
        assert exc.code.value in ("truncated", "empty_file")
    assert list(tmp_path.iterdir()) == [], "ingestion wrote something"


# ---------------------------------------------------------------- CLI: chartsift review

@pytest.fixture(scope="module")
def cli_run(hostile_files, tmp_path_factory):
    """All fixtures as the documents of one case, in one `chartsift review` process."""
    case = tmp_path_factory.mktemp("cli-case")
    for path in hostile_files.values():
        if path.name not in CLI_SKIP:
            os.link(path, case / path.name)
    start = time.monotonic()
    proc = subprocess.run(limited([sys.executable, "chartsift.cli", "review", *sorted(map(str, case.iterdir())),
                                   "--json"]), capture_output=True, text=True, cwd=REPO, env=child_env(),
                          timeout=300, check=False)
    TIMINGS["cli"] = {"all": time.monotonic() - start}
    return proc


def test_cli_reviews_the_rest_and_codes_each_bad_document(cli_run):
    assert cli_run.returncode == 3, cli_run.stderr[-2000:]
    result = json.loads(cli_run.stdout)
    docs = {d["name"]: d for d in result["documents"]}
    assert set(docs) == set(CATALOGUE) - CLI_SKIP
    for name, doc in docs.items():
        outcome = doc["error"]["code"] if doc.get("error") else "result"
        assert outcome in CATALOGUE[name].outcomes, f"{name!a}: {outcome}"
        if doc.get("error"):
            assert f"chartsift: error [{outcome}] {name}: " in cli_run.stderr
    assert "Traceback" not in cli_run.stderr


# ---------------------------------------------------------------- batch: chartsift screen

@pytest.fixture(scope="module")
def batch_run(hostile_files, good_chart, tmp_path_factory):
    """One case folder per fixture (plus two good cases), screened with a timeout and a memory limit."""
    root = tmp_path_factory.mktemp("batch")
    cases, out = root / "in", root / "out"
    ids = {}
    for index, (name, path) in enumerate(sorted(hostile_files.items())):
        folder = cases / f"H{index:02d}"
        folder.mkdir(parents=True)
        os.link(path, folder / name)
        ids[folder.name] = name
    for index in range(2):
        (cases / f"GOOD-{index}").mkdir()
        shutil.copy(good_chart, cases / f"GOOD-{index}" / "visit.pdf")
    marker = uuid.uuid4().hex
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "chartsift.cli", "screen", str(cases), "--out", str(out),
                           "--workers", "2", "--timeout", str(BATCH_TIMEOUT_S), "--memory-mb", str(MEMORY_MB),
                           "--max-pages", str(BATCH_MAX_PAGES), "--quiet"],
                          capture_output=True, text=True, cwd=REPO, env=child_env(SCREEN_E2E_MARKER=marker),
                          timeout=600, check=False)
    TIMINGS["batch"] = {"all": time.monotonic() - start}
    with (out / "summary.csv").open(newline="") as fh:
        summary = {row["case_id"]: row for row in csv.DictReader(fh)}
    return proc, ids, summary, screen_helpers.live_pids_with_env(marker)


def _batch_outcome(row: dict) -> str:
    if row["error_code"]:
        return row["error_code"]
    return row["document_errors"] or "result"


def test_batch_every_case_terminal_with_its_code_in_time(batch_run):
    proc, ids, summary, orphans = batch_run
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    assert orphans == []
    assert set(summary) == set(ids) | {"GOOD-0", "GOOD-1"}
    timings = {}
    for case_id, name in ids.items():
        row = summary[case_id]
        allowed = CATALOGUE[name].outcomes | ({"too_many_pages"} if name == "pages_2000.pdf" else set())
        assert row["status"] in ("done", "error") and _batch_outcome(row) in allowed, f"{name!a}: {row}"
        assert float(row["seconds"]) < BATCH_TIMEOUT_S + 5
        timings[name] = float(row["seconds"])
    assert summary["GOOD-0"]["recommendation"] == summary["GOOD-1"]["recommendation"] != ""
    TIMINGS["batch"].update(timings)


def test_every_fixture_has_an_api_outcome_and_time(api_outcomes):
    """The closing note's table (fixture, outcome, seconds): shown with `pytest -s`."""
    outcomes = api_outcomes[0]
    lines = [f"{ascii(n)[:42]:44} {o.outcome:16} {o.seconds:7.2f}s" for n, o in outcomes.items()]
    print("\n" + "\n".join(lines))
    assert len(lines) == len(CATALOGUE)
