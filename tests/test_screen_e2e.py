"""`chartsift screen` on the product path: chartsift.api.review in spawned workers, with hostile PDFs."""
from __future__ import annotations

import csv
import json
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
import screen_helpers as helpers

from chartsift.screen import screen

REPO = Path(__file__).resolve().parent.parent
HOSTILE_TIMEOUT = 20.0
GOOD = 3


def _good_cases(root: Path) -> Path:
    from chartsift.packet import render_packet

    notes = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora" / "sij").glob("*/*.txt"))]
    for i in range(GOOD):
        folder = root / f"GOOD-{i}"
        folder.mkdir(parents=True)
        render_packet(notes[i * 3:i * 3 + 3], folder / "packet.pdf")
        (folder / "case.json").write_text(json.dumps({"case_id": folder.name, "documents": ["packet.pdf"],
                                                      "request": {"cpt": "27279", "side": "left",
                                                                  "date": "2026-05-04"}}))
    return root


def _by_case(out: Path) -> dict[str, dict]:
    return {r["case_id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}


def _summary(out: Path) -> dict[str, dict]:
    with (out / "summary.csv").open(newline="") as fh:
        return {row["case_id"]: row for row in csv.DictReader(fh)}


@pytest.mark.slow
def test_hostile_pdfs_and_a_crashing_worker_do_not_disturb_the_good_cases(tmp_path, monkeypatch):
    clean = _good_cases(tmp_path / "clean")
    batch = _good_cases(tmp_path / "batch")
    shutil.copytree(batch / "GOOD-0", batch / "CRASH")
    (batch / "CRASH" / "case.json").write_text((batch / "GOOD-0" / "case.json").read_text().replace("GOOD-0", "CRASH"))
    hostile = helpers.hostile_files(batch)
    marker = uuid.uuid4().hex
    monkeypatch.setenv("SCREEN_E2E_MARKER", marker)
    monkeypatch.setenv("CHARTSIFT_SCREEN_CRASH_CASE", "CRASH")

    report = screen(batch, tmp_path / "out", workers=2, timeout=HOSTILE_TIMEOUT)
    monkeypatch.delenv("CHARTSIFT_SCREEN_CRASH_CASE")
    reference = screen(clean, tmp_path / "clean-out", workers=1, timeout=HOSTILE_TIMEOUT)

    assert helpers.live_pids_with_env(marker) == []
    assert report.total == GOOD + 1 + len(hostile) and reference.errors == 0
    summary = _summary(tmp_path / "out")
    assert set(summary) == {f"GOOD-{i}" for i in range(GOOD)} | {"CRASH"} | set(hostile)
    assert summary["CRASH"]["error_code"] == "worker_crash"
    for name in hostile:
        row = summary[name]
        assert row["status"] in ("done", "error")
        assert row["error_code"] or row["document_errors"] or row["document_warnings"], f"{name}: no code"
        assert float(row["seconds"]) < HOSTILE_TIMEOUT + 5, name
    results, clean_results = _by_case(tmp_path / "out"), _by_case(tmp_path / "clean-out")
    for i in range(GOOD):
        assert results[f"GOOD-{i}"] == clean_results[f"GOOD-{i}"]
    with sqlite3.connect(tmp_path / "out" / "ledger.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert screen(batch, tmp_path / "out", workers=2, timeout=HOSTILE_TIMEOUT).reviewed == 0


@pytest.mark.slow
def test_screen_command_on_the_annotated_corpus(tmp_path):
    """`chartsift screen corpora/sij --out OUT`: plain progress lines off a terminal; the rerun reviews nothing."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "chartsift.cli", "screen", str(REPO / "corpora" / "sij"), "--out",
               str(tmp_path / "out"), "--workers", "2"]
    first = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "cases/s" in first.stderr and "ETA" in first.stderr
    cases = sorted(p.name for p in (REPO / "corpora" / "sij").iterdir() if p.is_dir())
    assert sorted(_summary(tmp_path / "out")) == cases
    assert sorted(_by_case(tmp_path / "out")) == cases
    # each row carries the review's confidence: the recommendation's, the lowest criterion's, the needs-review count
    for case_id, result in _by_case(tmp_path / "out").items():
        row = _summary(tmp_path / "out")[case_id]
        assert float(row["confidence"]) == pytest.approx(result["recommendation"]["confidence"], abs=1e-9)
        lowest = min(d["confidence"] for d in result["determinations"])
        assert float(row["lowest_confidence"]) == pytest.approx(lowest, abs=1e-9)
        assert int(row["needs_review"]) == len(result["needs_review"])
        assert row["needs_review_criteria"].split() == result["needs_review"]
        assert (row["blocking_criteria"] == "") == (result["recommendation"]["status"] == "meets_criteria")
    index = (tmp_path / "out" / "index.html").read_text()
    assert '">review</th>' in index and '">lowest</th>' in index and ">blocking</th>" in index
    again = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
    assert again.returncode == 0 and "0 reviewed" in again.stderr
