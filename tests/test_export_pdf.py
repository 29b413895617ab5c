"""`chartsift review --pdf`: the demo review as a PDF, read back with pdfplumber. The recommendation on page 1,
every criterion id, the first words of every cited quote, the crops of the cited page regions embedded; a page
that cannot be rendered loses its crop, not the export; text outside latin-1 does not break the core fonts."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from models import ReviewResult

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "corpora" / "demo"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory) -> tuple[ReviewResult, Path]:
    if not (DEMO / "packet.pdf").is_file():
        subprocess.run([sys.executable, str(DEMO / "make_demo.py")], check=True, capture_output=True)
    out = tmp_path_factory.mktemp("pdf") / "demo.pdf"
    done = subprocess.run([sys.executable, "-m", "chartsift.cli", "review", str(DEMO), "--pdf", str(out)],
                          check=False, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return ReviewResult.model_validate_json(done.stdout), out


def cited_quotes(result: ReviewResult) -> list[str]:
    facts = {f.id: f for f in result.facts}
    return [ev.text for d in result.determinations for fid in d.evidence if fid in facts
            for ev in facts[fid].evidence]


def test_the_demo_pdf_holds_the_recommendation_criteria_quotes_and_crops(demo_export):
    result, out = demo_export
    with pdfplumber.open(out) as pdf:
        first = _words(pdf.pages[0].extract_text())
        text = _words(" ".join(page.extract_text() or "" for page in pdf.pages))
        images = sum(len(page.images) for page in pdf.pages)
    rec = result.recommendation
    assert f"chartsift recommendation: {rec.status} (confidence {rec.confidence:.2f})" in first
    assert first.index("Decision summary") < first.index("Criteria")
    for d in result.determinations:
        assert d.criterion in text, d.criterion
    quotes = cited_quotes(result)
    assert quotes
    for quote in quotes:
        first_words = " ".join(quote.split()[:3])
        assert first_words in text, first_words
    assert images >= 1, "no crop of a cited page region embedded"


def test_needs_review_criteria_are_marked(demo_export):
    from chartsift.render_pdf import render_pdf

    result, _ = demo_export
    marked = result.model_copy(update={"needs_review": [result.determinations[0].criterion]})
    with pdfplumber.open(_write(render_pdf(marked), "marked.pdf")) as pdf:
        assert "check" in pdf.pages[0].extract_text()


def test_a_page_that_cannot_be_rendered_keeps_the_quote_and_unicode_is_replaced(demo_export, tmp_path):
    from chartsift.render_pdf import render_pdf

    result, _ = demo_export
    broken = tmp_path / "packet.pdf"
    broken.write_bytes(b"%PDF-1.4 not really a pdf")
    rec = result.recommendation.model_copy(update={"summary": result.recommendation.summary + " \u2603 \U0001f600"})
    data = render_pdf(result.model_copy(update={"recommendation": rec}), {"packet.pdf": broken})
    with pdfplumber.open(_write(data, "broken.pdf", tmp_path)) as pdf:
        text = _words(" ".join(page.extract_text() or "" for page in pdf.pages))
        assert sum(len(page.images) for page in pdf.pages) == 0
    assert " ".join(cited_quotes(result)[0].split()[:3]) in text


def _write(data: bytes, name: str, folder: Path | None = None) -> Path:
    import tempfile

    path = (folder or Path(tempfile.mkdtemp())) / name
    path.write_bytes(data)
    return path
