"""OCR fallback without Tesseract: geometry, page layout, merging into the document, cache, warnings."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extractor.ingest import ocr, ocr_engine
from extractor.ingest.ocr_engine import OcrWord, PageReading
from extractor.ingest.reader import IngestedDocument
from models import ErrorCode, Evidence

# -- rotation back onto the page --------------------------------------------------------------------


def _dot_image() -> Image.Image:
    pixels = np.full((300, 400), 255, dtype=np.uint8)
    pixels[50:60, 300:310] = 0
    return Image.fromarray(pixels)


@pytest.mark.parametrize("angle", [
    pytest.param(0.0, id="upright"),
    pytest.param(1.5, id="slight-ccw"),
    pytest.param(-4.0, id="skew-cw"),
    pytest.param(90.0, id="quarter-turn"),
    pytest.param(180.0, id="upside-down"),
    pytest.param(270.0, id="three-quarter-turn"),
])
def test_a_box_read_on_the_turned_image_lands_on_the_page_as_rendered(angle):
    image = _dot_image()
    turned = np.asarray(image.rotate(angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=255))
    ys, xs = np.nonzero(turned < 128)
    box = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], dtype=np.float32)
    back = ocr_engine.unrotate_boxes(box, PageReading([], angle, image.size, dpi=72))[0]
    assert back[0] <= 301 and back[2] >= 309 and back[1] <= 51 and back[3] >= 59  # covers the dot
    assert back[2] - back[0] < 14 and back[3] - back[1] < 14  # and not much more


def _lines_image(angle: float) -> Image.Image:
    image = Image.new("L", (1200, 1500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=28)
    for row in range(20):
        draw.text((80, 100 + row * 60), "Sacroiliac joint tenderness on the left side " * 2, fill=0, font=font)
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)


@pytest.mark.parametrize("skew", [
    pytest.param(0.0, id="straight"),
    pytest.param(1.2, id="ccw-1.2"),
    pytest.param(-2.5, id="cw-2.5"),
])
def test_skew_is_estimated_from_the_projection_profile(skew):
    assert ocr_engine.estimate_skew(_lines_image(skew)) == pytest.approx(-skew, abs=0.3)


def test_a_blank_page_has_no_skew():
    assert ocr_engine.estimate_skew(Image.new("L", (800, 1000), 255)) == 0.0


# -- page text from OCR words -----------------------------------------------------------------------

def _word(text, x0, top, x1, bottom, conf=90.0, line=(1, 1, 1)):
    return OcrWord(text=text, box=(x0, top, x1, bottom), confidence=conf, line=line)


READING = PageReading(words=[
    _word("FABER", 72, 100, 110, 110, conf=95.0),
    _word("positive", 114, 100, 160, 110, conf=85.0),
    _word("Gaenslen", 72, 113, 120, 123, line=(1, 1, 2)),
    _word("Plan:", 72, 160, 100, 170, conf=40.0, line=(2, 1, 1)),
], angle=0.0, size=(2550, 3300), dpi=300)


def test_ocr_words_are_laid_out_like_a_text_layer():
    page = ocr.page_from_reading(READING)
    assert page.text == "FABER positive\nGaenslen\n\nPlan:"
    assert page.boxes.shape == (len(page.text), 4) and page.confidences.shape == (len(page.text),)


def test_each_character_gets_its_share_of_the_word_box_and_the_word_confidence():
    page = ocr.page_from_reading(READING)
    start = page.text.index("FABER")
    boxes = page.boxes[start:start + 5]
    assert boxes[0][0] == pytest.approx(72) and boxes[-1][2] == pytest.approx(110)
    assert np.all(np.diff(boxes[:, 0]) > 0) and np.all(boxes[:, 1] == 100)
    assert np.all(page.confidences[start:start + 5] == 95.0)
    assert np.isnan(page.confidences[start + 5]) and np.isnan(page.boxes[start + 5, 0])  # the space


def test_page_confidence_is_the_length_weighted_mean():
    assert READING.confidence == pytest.approx((95 * 5 + 85 * 8 + 90 * 8 + 40 * 5) / 26)


@pytest.mark.parametrize("words, readable", [
    pytest.param([_word("Sacroiliac joint injection", 0, 0, 10, 10)], True, id="enough-confident-text"),
    pytest.param([_word("Sacroiliac joint injection", 0, 0, 10, 10, conf=30.0)], False, id="only-unsure-words"),
    pytest.param([_word("ok", 0, 0, 10, 10)], False, id="too-little-text"),
    pytest.param([], False, id="nothing"),
])
def test_a_page_is_read_when_enough_confident_text_came_out(words, readable):
    assert PageReading(words, 0.0, (10, 10), 300).readable is readable


# -- the document with OCR pages merged in --------------------------------------------------------------

def _doc(pages: list[str], unreadable: list[int]) -> IngestedDocument:
    text = "\f".join(pages)
    starts = [sum(len(p) + 1 for p in pages[:i]) for i in range(len(pages))]
    boxes = np.full((len(text), 4), np.nan, dtype=np.float32)
    boxes[: len(pages[0])] = [10, 10, 20, 20]
    return IngestedDocument(name="packet.pdf", sha256="x", media_type="pdf", text=text, page_starts=starts,
                            unreadable_pages=unreadable, char_boxes=boxes, page_sizes=[(612, 792)] * len(pages))


def _ocr_page(text: str, conf: float, readable: bool = True) -> ocr.OcrPage:
    boxes = np.tile(np.array([[100, 200, 110, 210]], dtype=np.float32), (len(text), 1))
    return ocr.OcrPage(text, boxes, np.full(len(text), conf, dtype=np.float32), conf, readable)


def test_ocr_text_replaces_the_unusable_pages_with_boxes_and_confidence():
    doc = _doc(["Cover letter text page", "", "Page three"], unreadable=[2])
    merged = ocr.merge_pages(doc, {2: _ocr_page("FABER positive left", 91.0)})
    assert merged.text.split("\f") == ["Cover letter text page", "FABER positive left", "Page three"]
    start = merged.text.index("FABER")
    assert merged.page_of(start) == 2
    assert merged.bbox(start, start + 5) == [100.0, 200.0, 110.0, 210.0]
    assert merged.bbox(0, 5) == [10.0, 10.0, 20.0, 20.0]  # the text layer page keeps its boxes
    assert merged.page_of(merged.text.index("Page three")) == 3
    assert merged.unreadable_pages == []
    assert (merged.ocr.pages, merged.ocr.confidence, merged.ocr.failed) == ([2], {2: 91.0}, [])
    assert merged.to_model().ocr_pages == [2]
    assert ocr.span_confidence(merged, start, start + 5) == pytest.approx(91.0)
    assert ocr.span_confidence(merged, 0, 5) is None


def test_a_page_ocr_cannot_read_stays_unreadable_and_is_named_as_failed():
    doc = _doc(["Cover letter text page", ""], unreadable=[2])
    merged = ocr.merge_pages(doc, {2: _ocr_page("~ ,", 12.0, readable=False)})
    assert merged.text == doc.text and merged.unreadable_pages == [2]
    assert merged.ocr.failed == [2] and merged.ocr.pages == []


@pytest.mark.parametrize("failed, unreadable, codes", [
    pytest.param([2], [2], [ErrorCode.OCR_UNREADABLE.value], id="ocr-tried-and-failed"),
    pytest.param([], [2], [ErrorCode.NO_TEXT_LAYER.value], id="ocr-not-run"),
    pytest.param([2], [2, 3], [ErrorCode.OCR_UNREADABLE.value, ErrorCode.NO_TEXT_LAYER.value], id="both"),
    pytest.param([], [], [], id="all-read"),
])
def test_unread_pages_give_coded_warnings(failed, unreadable, codes):
    doc = _doc(["Cover letter text page", "", ""], unreadable=unreadable)
    doc.ocr = ocr.OcrResult(failed=failed)
    warnings = ocr.page_warnings([doc])
    assert [w.split(":")[0] for w in warnings] == codes
    assert all("packet.pdf" in w for w in warnings)


def _fact(spans: list[tuple[int, int]]):
    from models.facts import Smoking

    evidence = [Evidence(document="packet.pdf", start=s, end=e, text="x") for s, e in spans]
    return Smoking(status="former", evidence=evidence)


@pytest.mark.parametrize("conf, spans, flagged", [
    pytest.param(40.0, [(0, 5)], True, id="only-low-confidence-ocr"),
    pytest.param(95.0, [(0, 5)], False, id="confident-ocr"),
    pytest.param(40.0, [(0, 5), (30, 35)], False, id="also-quoted-from-the-text-layer"),
])
def test_facts_resting_only_on_low_confidence_ocr_need_verification(conf, spans, flagged):
    doc = _doc(["FABER positive left", "Cover letter text page here"], unreadable=[])
    doc.ocr = ocr.OcrResult(pages=[1], char_confidence=np.array(
        [conf] * 19 + [np.nan] * (len(doc.text) - 19), dtype=np.float32))
    fact = _fact(spans)
    ocr.mark_low_confidence([fact], [doc])
    assert fact.needs_verification is flagged


# -- cache ---------------------------------------------------------------------------------------------

def test_a_page_image_is_read_once_then_served_from_the_cache(tmp_path, monkeypatch):
    from chartsift.packet import new_packet, write

    pdf = new_packet()
    pdf.add_page()
    write(pdf, tmp_path / "one.pdf")
    calls = []

    def fake_read(image, dpi):
        calls.append(dpi)
        return PageReading([_word("Sacroiliac", 1, 2, 3, 4)], 0.0, image.size, dpi)

    monkeypatch.setattr(ocr_engine, "read_image", fake_read)
    monkeypatch.setattr(ocr, "_engine_version", lambda: "tesseract test")
    data = (tmp_path / "one.pdf").read_bytes()
    first = ocr.read_page_record(data, 0, 72, tmp_path / "cache")
    second = ocr.read_page_record(data, 0, 72, tmp_path / "cache")
    assert first == second and calls == [72]
    assert ocr.reading_from_record(second).words[0].text == "Sacroiliac"
    assert oct((tmp_path / "cache").stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize("value, expected", [
    pytest.param("off", None, id="off"),
    pytest.param("", None, id="empty"),
    pytest.param("/tmp/x", "/tmp/x", id="folder"),
])
def test_cache_folder_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(ocr.CACHE_ENV, value)
    folder = ocr.cache_dir()
    assert (None if folder is None else str(folder)) == expected


def test_a_page_picked_for_its_ink_keeps_its_text_layer_when_ocr_reads_no_more():
    doc = _doc(["Sacroiliac joint injection performed under fluoroscopy", ""], unreadable=[])
    merged = ocr.merge_pages(doc, {1: _ocr_page("Sacroiliac joint injection performed", 93.0)})
    assert merged.text == doc.text and merged.ocr.pages == [] and merged.ocr.failed == []


# -- cropping to the inked area (a knob of benchmarks/ocr_tradeoff.py) ------------------------------


def test_cropped_reading_gives_boxes_on_the_whole_page(monkeypatch):
    """With CROP_MARGINS Tesseract reads only the inked part; its boxes come back in the whole page's frame."""
    pixels = np.full((1100, 850), 255, dtype=np.uint8)
    pixels[400:440, 300:500] = 0  # one "word" of ink, at 100 dpi: x 216-360 pt, top 288-316.8 pt
    seen = {}

    def fake_tesseract(image, dpi, psm=3):
        seen["size"] = image.size
        ink = np.argwhere(np.asarray(image) < 128)
        (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0) + 1
        scale = 72.0 / dpi
        return [OcrWord("word", (left * scale, top * scale, right * scale, bottom * scale), 90.0)]

    monkeypatch.setattr(ocr_engine, "run_tesseract", fake_tesseract)
    whole = ocr_engine._read_rotated(Image.fromarray(pixels), 0.0, 100).words[0].box
    monkeypatch.setattr(ocr_engine, "CROP_MARGINS", True)
    cropped = ocr_engine._read_rotated(Image.fromarray(pixels), 0.0, 100)
    assert seen["size"][0] < 850 and seen["size"][1] < 1100  # Tesseract saw less than the page
    assert cropped.size == (850, 1100)
    assert cropped.words[0].box == pytest.approx(whole, abs=1e-6)
    assert whole == pytest.approx((216.0, 288.0, 360.0, 316.8), abs=1e-6)


def test_ink_bounds_of_a_blank_page_are_the_page():
    assert ocr_engine._ink_bounds(Image.new("L", (400, 300), 255), 10) == (0, 0, 400, 300)
