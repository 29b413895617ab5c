"""Determinism (issue 9): the same chart through the API, the CLI and the batch, twice each, gives the same answer.

Two charts: an annotated text case (corpora/sij/SIJ-001) and a PDF packet rendered from another
case's notes. The hash covers everything the reviewer acts on (facts with their evidence, offsets
and boxes, determinations, recommendation, flags, document summaries, errors and warnings); the
only field left out is the case id, which each surface derives from its own input. The web app
(issue 6: two uploads through POST /cases and the review worker, against the API, CLI and batch) is covered by
tests/web/test_determinism_web.py, which reuses this file's charts and hash.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chartsift.api import review

REPO = Path(__file__).resolve().parent.parent
VOLATILE = ("case_id",)
RUNS = 2


def answer_hash(result: dict) -> str:
    """sha256 of the review JSON without its volatile fields, keys sorted."""
    stable = {k: v for k, v in result.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def charts(tmp_path_factory) -> dict[str, Path]:
    from chartsift.packet import render_packet

    root = tmp_path_factory.mktemp("charts")
    text_case = root / "text-case"
    shutil.copytree(REPO / "corpora" / "sij" / "SIJ-001", text_case, ignore=shutil.ignore_patterns("gold.json"))
    meta = json.loads((text_case / "case.json").read_text())
    (text_case / "case.json").write_text(json.dumps({**meta, "case_id": "text-case"}))  # the batch keys by case id
    pdf_case = root / "pdf-case"
    pdf_case.mkdir()
    notes = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora" / "sij" / "SIJ-002").glob("*.txt"))]
    render_packet(notes, pdf_case / "packet.pdf")
    (pdf_case / "case.json").write_text(json.dumps({"case_id": "pdf-case", "documents": ["packet.pdf"],
                                                    "request": {"cpt": "27279", "side": "left",
                                                                "date": "2026-05-04"}}))
    return {"text-case": text_case, "pdf-case": pdf_case}


def _api(case: Path) -> dict:
    return review(case).model_dump(mode="json")


def _cli(case: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "chartsift.cli", "review", str(case), "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _batch(cases: list[Path], out: Path) -> dict[str, dict]:
    root = out.parent / f"{out.name}-in"
    root.mkdir()
    for case in cases:
        shutil.copytree(case, root / case.name)
    proc = subprocess.run([sys.executable, "-m", "chartsift.cli", "screen", str(root), "--out", str(out),
                           "--workers", "1", "--quiet"], capture_output=True, text=True, cwd=REPO, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    return {row["case_id"]: row for row in rows}


@pytest.fixture(scope="module")
def hashes(charts, tmp_path_factory) -> dict[str, dict[str, list[str]]]:
    """chart -> surface -> one hash per run."""
    found: dict[str, dict[str, list[str]]] = {name: {"api": [], "cli": [], "batch": []} for name in charts}
    for run in range(RUNS):
        batch = _batch(list(charts.values()), tmp_path_factory.mktemp(f"batch{run}") / "out")
        for name, case in charts.items():
            found[name]["api"].append(answer_hash(_api(case)))
            found[name]["cli"].append(answer_hash(_cli(case)))
            found[name]["batch"].append(answer_hash(batch[case.name]))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("chart", ["text-case", "pdf-case"])
def test_same_chart_same_answer_on_every_surface_every_time(hashes, chart):
    by_surface = hashes[chart]
    every = {h for runs in by_surface.values() for h in runs}
    assert len(every) == 1, by_surface


def test_answer_hash_sees_a_changed_fact_and_ignores_the_case_id():
    base = {"case_id": "a", "facts": [{"type": "injection", "date": "2026-02-03"}], "recommendation": {"status": "x"}}
    assert answer_hash(base) == answer_hash({**base, "case_id": "b"})
    changed = json.loads(json.dumps(base))
    changed["facts"][0]["date"] = "2026-02-04"
    assert answer_hash(base) != answer_hash(changed)
