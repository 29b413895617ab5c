"""OCR end to end with Tesseract on small pages: mixed packets, boxes on the page image, unreadable pages.

Skipped where the `tesseract` command is not installed (`apt-get install tesseract-ocr`).
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image

from chartsift.evaluation.asscan import fax_page
from chartsift.packet import FIXED_DATE
from extractor.ingest import ocr_engine
from extractor.ingest.reader import ingest

pytestmark = pytest.mark.skipif(ocr_engine.tesseract_command() is None, reason="tesseract is not installed")

PAGE = (396.0, 396.0)  # small pages keep Tesseract fast
DPI = 200
TEXT_PAGE = ["Office Visit", "Date of Service: 03/02/2026",
             "Physical exam: FABER test positive on the left.",
             "Gaenslen test positive on the left side."]
IMAGE_PAGE = ["Social history: Former smoker, quit in 2015.",
              "Thigh thrust test positive on the left.",
              "Compression test positive on the left.",
              "Tenderness over the left posterior SI joint."]
COVER = ["Prior authorization request", "Please find the attached chart notes for review.",
         "Contact the office with any questions about this request."]


def text_pdf(lines: list[str], size: tuple[float, float] = PAGE) -> bytes:
    pdf = FPDF(unit="pt", format=size)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_margins(28, 28, 28)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 15, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def image_pdf(lines: list[str] | None, *, skew: float = 0.0, turn: int = 0, noise: float = 0.0) -> bytes:
    """The page of `lines` (None: a blank page) as a faxed image with no text layer."""
    rng = np.random.default_rng(7)
    page = pdfium.PdfDocument(text_pdf(lines or []))[0]
    image = page.render(scale=DPI / 72.0, grayscale=True).to_pil().convert("L")
    faxed = fax_page(image, rng, skew=skew)
    if noise:
        pixels = np.asarray(faxed.convert("L")) < 128
        faxed = Image.fromarray(~(pixels | (rng.random(pixels.shape) < noise))).convert("1")
    if turn:
        faxed = faxed.rotate(turn, expand=True)
    out = io.BytesIO()
    faxed.save(out, format="PDF", resolution=float(DPI))
    return out.getvalue()


def join(*pdfs: bytes) -> bytes:
    merged = pdfium.PdfDocument.new()
    for data in pdfs:
        merged.import_pages(pdfium.PdfDocument(data))
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _page_codes(warnings: list[str]) -> list[str]:
    codes = [w.split(":")[0] for w in warnings]
    return [c for c in codes if c in ("ocr_unreadable", "no_text_layer")]


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


@pytest.fixture(scope="module")
def mixed_review(tmp_path_factory):
    from chartsift.api import review_case

    folder = tmp_path_factory.mktemp("mixed")
    data = join(text_pdf(TEXT_PAGE), image_pdf(IMAGE_PAGE, skew=1.0))
    (folder / "packet.pdf").write_bytes(data)
    return review_case([folder / "packet.pdf"]), data


def test_a_mixed_packet_is_read_from_its_text_layer_and_its_page_image(mixed_review):
    result = mixed_review[0].result
    document = result.documents[0]
    assert document.ocr_pages == [2] and document.unreadable_pages == []
    assert 60.0 < document.ocr_confidence[2] <= 100.0
    pages = {e.page for f in result.facts for e in f.evidence}
    assert pages == {1, 2}
    tests = {(f.test, f.side, f.result) for f in result.facts if f.type == "provocative_test"}
    assert {("faber", "left", "positive"), ("gaenslen", "left", "positive"),
            ("thigh_thrust", "left", "positive"), ("compression", "left", "positive")} <= tests
    assert any(f.type == "smoking_status" and f.status == "former" for f in result.facts)
    assert not _page_codes(result.warnings)


def test_the_box_of_ocr_evidence_holds_the_quoted_words_on_the_page_image(mixed_review):
    result, data = mixed_review[0].result, mixed_review[1]
    evidence = [e for f in result.facts for e in f.evidence if e.page == 2]
    assert evidence
    page_image = ocr_engine.render_page(data, 1, 300)  # the skewed page image, as the reviewer sees it
    for ev in evidence:
        x0, top, x1, bottom = ev.bbox
        scale = 300 / 72.0
        crop = page_image.crop((int((x0 - 3) * scale), int((top - 3) * scale),
                                int((x1 + 3) * scale), int((bottom + 3) * scale)))
        read = _words(" ".join(w.text for w in ocr_engine.run_tesseract(crop, 300, psm=6)))
        quoted = _words(ev.text)
        assert quoted and len(quoted & read) >= 0.8 * len(quoted), (quoted, read)


@pytest.mark.parametrize("page", [
    pytest.param(None, id="blank-image-page"),
    pytest.param("noise", id="speckle-noise-page"),
])
def test_an_image_page_ocr_cannot_read_gives_its_warning_and_no_false_not_met(tmp_path, page):
    from chartsift.api import review

    image = image_pdf(None, noise=0.02) if page == "noise" else image_pdf(None)
    (tmp_path / "packet.pdf").write_bytes(join(text_pdf(COVER), image))
    result = review([tmp_path / "packet.pdf"])
    assert result.documents[0].unreadable_pages == [2] and result.documents[0].ocr_pages == []
    assert _page_codes(result.warnings) == ["ocr_unreadable"]
    warning = next(w for w in result.warnings if w.startswith("ocr_unreadable"))
    assert "packet.pdf" in warning and "pages 2 " in warning
    assert all(d.status != "not_met" for d in result.determinations)
    assert result.recommendation.status != "physician_review"


@pytest.mark.parametrize("turn", [
    pytest.param(90, id="quarter-turn"),
    pytest.param(180, id="upside-down"),
])
def test_a_sideways_page_is_turned_upright_before_reading(turn):
    lines = IMAGE_PAGE * 3
    doc = ingest(image_pdf(lines, turn=turn), name="sideways.pdf")
    assert doc.ocr.pages == [1]
    assert {"thigh", "thrust", "compression", "tenderness"} <= _words(doc.text)
    start = doc.text.lower().index("thigh")
    x0, top, x1, bottom = doc.bbox(start, start + 5)
    width, height = doc.page_sizes[0]
    assert 0 <= x0 < x1 <= width and 0 <= top < bottom <= height


def test_without_tesseract_the_page_stays_unread_with_the_no_text_layer_warning(tmp_path, monkeypatch):
    from chartsift.api import review

    monkeypatch.setenv("CHARTSIFT_TESSERACT", "no-such-tesseract-binary")
    (tmp_path / "packet.pdf").write_bytes(join(text_pdf(COVER), image_pdf(IMAGE_PAGE)))
    result = review([tmp_path / "packet.pdf"])
    assert result.documents[0].unreadable_pages == [2]
    assert _page_codes(result.warnings) == ["no_text_layer"]


def test_a_scan_under_a_typed_header_line_is_read_by_ocr():
    """A text layer holding only a typed line above a scanned page image is not the page's text."""
    scan = pdfium.PdfDocument(image_pdf(IMAGE_PAGE))
    header = pdfium.PdfDocument(text_pdf(["FAX 555-0100 To: Utilization Management, page 1 of 1"]))
    merged = pdfium.PdfDocument.new()
    merged.import_pages(header)
    xobject = scan.page_as_xobject(0, merged)
    target = merged[0]
    target.insert_obj(xobject.as_pageobject())
    target.gen_content()
    out = io.BytesIO()
    merged.save(out)
    doc = ingest(out.getvalue(), name="stamped.pdf")
    assert doc.ocr is not None and doc.ocr.pages == [1]
    assert {"thigh", "thrust", "compression"} <= _words(doc.text)


def _case_with(tmp_path, extra: bytes | None):
    """SIJ-015's notes (gold: II.B, II.F.3 not met), plus an image-only page that cannot be read."""
    import json

    from models import Request

    case = Path(__file__).resolve().parents[1] / "corpora" / "sij" / "SIJ-015"
    request = Request.model_validate(json.loads((case / "case.json").read_text(encoding="utf-8"))["request"])
    paths = sorted(case.glob("*.txt"))
    if extra is not None:
        (tmp_path / "fax.pdf").write_bytes(extra)
        paths.append(tmp_path / "fax.pdf")
    return paths, request


def test_while_a_page_is_unread_no_criterion_is_decided_as_not_met(tmp_path):
    from chartsift.api import review

    paths, request = _case_with(tmp_path, None)
    read_all = review(paths, request=request)
    assert {d.criterion for d in read_all.determinations if d.status == "not_met"} >= {"II.B", "II"}
    paths, request = _case_with(tmp_path, join(text_pdf(COVER), image_pdf(None)))
    held = review(paths, request=request)
    assert _page_codes(held.warnings) == ["ocr_unreadable"]
    assert not [d.criterion for d in held.determinations if d.status == "not_met" and d.criterion != "codes"]
    ii_b = next(d for d in held.determinations if d.criterion == "II.B")
    assert ii_b.status == "insufficient" and "fax.pdf page 2" in ii_b.missing[0]
    assert held.recommendation.status == "missing_documentation"
