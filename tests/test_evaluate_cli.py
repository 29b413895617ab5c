"""`chartsift evaluate` end to end on the mini corpus, with an oracle in place of `chartsift.review`.

The oracle answers each case with its own gold (optionally leaving facts out), so these tests pin
the harness — loading, scoring, gates, baseline, HTML, the PDF path — independently of the extractor.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from headless_chromium import CHROMIUM, FLAGS, needs_chromium

from chartsift.cli import main
from chartsift.evaluation import CaseRun, Gold, evaluate, score
from chartsift.evaluation.report_html import render_html
from models import (
    FACT_MODELS,
    Determination,
    DocumentSummary,
    EvaluationReport,
    Evidence,
    PolicyRef,
    Recommendation,
    ReviewResult,
)

MINICORPUS = Path(__file__).parent / "fixtures" / "minicorpus"


def oracle(drop: frozenset[tuple[str, int]] = frozenset(), calls: list | None = None):
    """A review that returns the gold of the case folder's name, minus the (case, fact index) in `drop`."""
    def review(folder, request=None, *, case_id=None):
        folder = Path(folder)
        if calls is not None:
            calls.append((folder.name, request, case_id))
        gold = Gold.model_validate_json((MINICORPUS / folder.name / "gold.json").read_text())
        documents = json.loads((folder / "case.json").read_text()).get("documents") or sorted(
            p.name for p in folder.glob("*.txt"))
        packet = documents == ["packet.pdf"]
        facts = [_as_predicted(fact, f"f{i}", "packet.pdf" if packet else None)
                 for i, fact in enumerate(gold.facts) if (folder.name, i) not in drop]
        dets = [Determination(criterion=c, status=s, rationale="oracle")
                for c, s in gold.determinations.items() if c != "recommendation"]
        return ReviewResult(case_id=case_id or folder.name, policy=PolicyRef(id="CP.MP.126", revision="06/22"),
                            request=request, documents=[DocumentSummary(name=d, pages=1) for d in documents],
                            facts=facts, determinations=dets,
                            recommendation=Recommendation(status=gold.determinations["recommendation"], summary="o"))
    return review


def _as_predicted(fact, fact_id: str, document: str | None):
    evidence = [Evidence(document=document or e.document, start=0, end=len(e.quote), text=e.quote)
                for e in fact.evidence]
    data = fact.model_dump(exclude={"evidence", "id"})
    return FACT_MODELS[fact.type].model_validate({**data, "id": fact_id, "evidence": evidence})


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(MINICORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


@pytest.fixture
def perfect(monkeypatch):
    monkeypatch.setattr("chartsift.api.review", oracle())


@pytest.fixture
def missing_two(monkeypatch):
    """MINI-01 loses its FABER test (index 5) and its smoking status (index 2): recall 14/16, F1 0.9333."""
    monkeypatch.setattr("chartsift.api.review", oracle(frozenset({("MINI-01", 5), ("MINI-01", 2)})))


def test_evaluate_calls_review_per_case_with_its_request(corpus):
    calls: list = []
    evaluate(corpus, review=oracle(calls=calls))
    assert [(name, req.cpt, cid) for name, req, cid in calls] == [("MINI-01", "27279", "MINI-01"),
                                                                  ("MINI-02", "27280", "MINI-02")]


def test_json_output_validates_and_perfect_oracle_scores_one(corpus, perfect, capsys):
    code = main(["evaluate", str(corpus), "--json", "--min-f1", "0.99", "--min-determination-acc", "0.99"])
    report = EvaluationReport.model_validate_json(capsys.readouterr().out)
    assert code == 0
    assert report.cases == 2 and report.pdf is None
    assert (report.facts.micro.f1, report.facts.macro.f1, report.facts.attribute_accuracy) == (1.0, 1.0, 1.0)
    assert report.facts.evidence_found == 1.0
    assert report.determinations.accuracy == 1.0 and report.determinations.recommendation.accuracy == 1.0
    assert report.facts.counts.tp == 16


def test_gate_below_threshold_exits_one(corpus, missing_two, capsys):
    assert main(["evaluate", str(corpus), "--min-f1", "0.95"]) == 1
    assert "gate failed: fact micro-F1 0.9333 < 0.95" in capsys.readouterr().err
    assert main(["evaluate", str(corpus), "--min-f1", "0.93", "--min-determination-acc", "1.0"]) == 0
    assert main(["evaluate", str(corpus), "--min-recommendation-acc", "1.0"]) == 0


def test_text_summary_names_every_section(corpus, missing_two, capsys):
    assert main(["evaluate", str(corpus)]) == 0
    out = capsys.readouterr().out
    for expected in ("2 cases", "fact micro F1", "provocative_test", "injection.relief_percent", "II.G",
                     "recommendation", "false_negative 2"):
        assert expected in out


def test_baseline_prints_the_change_of_every_number(corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("chartsift.api.review", oracle())
    main(["evaluate", str(corpus), "--json"])
    baseline = tmp_path / "baseline.json"
    baseline.write_text(capsys.readouterr().out)
    monkeypatch.setattr("chartsift.api.review", oracle(frozenset({("MINI-01", 5), ("MINI-01", 2)})))
    assert main(["evaluate", str(corpus), "--baseline", str(baseline)]) == 0
    out = capsys.readouterr().out
    recall = next(line for line in out.splitlines() if line.startswith("facts.micro.recall "))
    assert recall.split()[1:] == ["1.000", "0.875", "-0.125"]
    fn = next(line for line in out.splitlines() if line.startswith("facts.fn "))
    assert fn.split()[1:] == ["0", "2", "+2"]
    assert "determination.II.G.accuracy" in out


def test_html_report_is_written_with_tables_and_highlighted_snippets(corpus, missing_two, tmp_path):
    out = tmp_path / "report.html"
    assert main(["evaluate", str(corpus), "--report", str(out)]) == 0
    html = out.read_text()
    assert "<table" in html and "Missed facts (2)" in html
    assert "<mark>FABER positive on the left</mark>" in html
    assert "Exam:" not in html  # no context invented: MINI-01 writes EXAM in capitals
    assert "EXAM: Tenderness over the left posterior SIJ. No tenderness over the greater trochanter." in html


def test_html_escapes_everything_from_the_chart():
    gold = Gold.model_validate({"facts": [{"type": "smoking_status", "status": "current", "evidence": [
        {"document": "a.txt", "quote": "<script>alert(1)</script> smokes"}]}]})
    result = ReviewResult(case_id="<b>C</b>", policy=PolicyRef(id="CP.MP.126", revision="06/22"),
                          request={}, documents=[], facts=[], determinations=[],
                          recommendation=Recommendation(status="physician_review", summary="s"))
    html = render_html(score([CaseRun(case_id="<b>C</b>", gold=gold, result=result)], corpus="x"))
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; smokes" in html
    assert "<b>C</b>" not in html


def test_markdown_table_for_the_readme(corpus, perfect, capsys):
    assert main(["evaluate", str(corpus), "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| fact micro F1 | 1.000 |" in out
    assert "| provocative_test | 3 | 1.000 | 1.000 | 1.000 |" in out


def test_as_pdf_scores_the_rendered_packet_side_by_side(corpus, perfect, capsys):
    assert main(["evaluate", str(corpus), "--as-pdf", "--json"]) == 0
    report = EvaluationReport.model_validate_json(capsys.readouterr().out)
    assert report.pdf is not None and report.pdf.source == "pdf"
    assert report.pdf.facts.micro.f1 == 1.0
    assert report.pdf.facts.evidence_found == 1.0  # gold documents were mapped to packet.pdf
    assert main(["evaluate", str(corpus), "--as-pdf"]) == 0
    assert "F1 (pdf)" in capsys.readouterr().out


def test_as_pdf_packet_holds_every_note(corpus, tmp_path):
    from chartsift.evaluation.aspdf import case_as_pdf
    from chartsift.evaluation.corpus import load_case, read_document_text

    case = load_case(corpus / "MINI-01")
    rename = case_as_pdf(case, tmp_path / "MINI-01")
    assert rename == {"office_visit_2026-01-12.txt": "packet.pdf", "procedure_2026-02-03.txt": "packet.pdf"}
    text = " ".join(read_document_text(tmp_path / "MINI-01" / "packet.pdf").split())
    assert "FABER positive on the left" in text and "80% relief of her typical pain for 6 hours" in text
    assert json.loads((tmp_path / "MINI-01" / "case.json").read_text())["documents"] == ["packet.pdf"]


def test_a_review_that_raises_is_a_failed_case_not_a_crash(corpus):
    def broken(folder, request=None, *, case_id=None):
        raise RuntimeError("boom")
    report = evaluate(corpus, review=broken)
    assert [c.failed for c in report.case_scores] == [True, True]
    assert report.facts.micro.recall == 0.0
    assert sum(e.kind == "review_failed" for e in report.errors) == 2


def test_recommendation_gate(corpus, monkeypatch, capsys):
    def wrong_recommendation(folder, request=None, *, case_id=None):
        result = oracle()(folder, request=request, case_id=case_id)
        result.recommendation.status = "physician_review"
        return result
    monkeypatch.setattr("chartsift.api.review", wrong_recommendation)
    assert main(["evaluate", str(corpus), "--min-recommendation-acc", "0.5", "--min-f1", "1.0"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "chartsift evaluate: gate failed: recommendation accuracy 0.0000 < 0.5"]


def test_unloadable_corpus_exits_two(tmp_path, capsys):
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "no case folders" in capsys.readouterr().err


@pytest.mark.slow
@needs_chromium
def test_html_report_renders_in_headless_chromium(corpus, missing_two, tmp_path):
    report = tmp_path / "report.html"
    assert main(["evaluate", str(corpus), "--report", str(report)]) == 0
    base = [CHROMIUM, "--headless", *FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(base + ["--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120,
                         check=True)
    assert "Facts by type" in dom.stdout and "Missed facts (2)" in dom.stdout
    assert dom.stdout.count("<table") >= 20  # per-type, attributes, one matrix per criterion, cases
    png = tmp_path / "report.png"
    subprocess.run(base + [f"--screenshot={png}", "--window-size=1280,2000", report.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
