"""Ingestion: text notes and PDF packets with pages, offsets and boxes; bad input as coded errors."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pdfplumber
import pytest

from chartsift.packet import add_note, add_table, add_two_column_page, new_packet, render_packet, write
from extractor.ingest.errors import InputError
from extractor.ingest.pdftext import BACKENDS
from extractor.ingest.reader import ingest, page_is_usable
from extractor.text.normalize import normalize
from models import ErrorCode

CANARY = "ZEBULON QUIXOTE-CANARY"
FILLER = "Review of systems is otherwise negative for fever, chills, weight loss and bowel or bladder change."

NOTES = [
    (f"OFFICE VISIT\nDate of Service: 02/03/2026\n\nHPI: Left buttock pain for eight months.\nFABER (+) L\n"
     f"Patient name: {CANARY}\n"),
    ("PROGRESS NOTE\nDate of Service: 03/03/2026\n\n" + "\n".join(f"{i}. {FILLER}" for i in range(1, 70))
     + "\nPlan: left sacroiliac joint fusion.\n"),
    "PROCEDURE NOTE\nDate of procedure: 03/20/2026\n\nLeft SI joint injection under fluoroscopy with 80% relief.\n",
]
# phrase -> page it must be found on (note 2 runs over two pages)
PHRASES = [
    pytest.param("Left buttock pain for eight months.", 1, id="page-1-sentence"),
    pytest.param("FABER (+) L", 1, id="page-1-short-test"),
    pytest.param("1. Review of systems", 2, id="page-2-list-item"),
    pytest.param("Plan: left sacroiliac joint fusion.", 3, id="page-3-after-automatic-break"),
    pytest.param("Left SI joint injection under fluoroscopy with 80% relief.", 4, id="page-4-new-note"),
]
HEADER = "FAX from (555) 010-0100 to UM dept  03/05/2026 10:14  Page {page} of {pages}"


@pytest.fixture(scope="module")
def packet_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "packet.pdf"
    render_packet(NOTES, out, header=HEADER)
    return out


# -- text notes ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    pytest.param(b"FABER (+) L\nTobacco: never\n", "FABER (+) L\nTobacco: never\n", id="utf8"),
    pytest.param("\ufeffPatrick\u2019s test".encode("utf-8"), "Patrick\u2019s test", id="utf8-bom-dropped"),
    pytest.param("Patrick\u2019s test neg\r\n".encode("cp1252"), "Patrick\u2019s test neg\r\n", id="cp1252-fallback"),
    pytest.param("Gaenslen's: neg".encode("utf-16"), "Gaenslen's: neg", id="utf16-with-bom"),
    pytest.param(b"FABER (+) L\x00 and a stray NUL in a long enough note", "FABER (+) L\x00 and a stray NUL in a long enough note",
                 id="stray-nul-kept-for-normalize"),
])
def test_text_note_decoded_exactly(raw, expected):
    doc = ingest(raw, "note.txt")
    assert (doc.media_type, doc.text, doc.page_starts, doc.unreadable_pages) == ("text", expected, [0], [])
    assert doc.page_of(0) == 1 and doc.bbox(0, 3) is None
    assert doc.to_model().text == expected


@pytest.mark.parametrize("make_source", [
    pytest.param(lambda p: p, id="path"),
    pytest.param(lambda p: str(p), id="str-path"),
    pytest.param(lambda p: p.read_bytes(), id="bytes"),
    pytest.param(lambda p: io.BytesIO(p.read_bytes()), id="stream"),
])
def test_sources(tmp_path, make_source):
    path = tmp_path / "note.txt"
    path.write_text("DOS: 02/03/2026\nFABER positive\n", encoding="utf-8")
    doc = ingest(make_source(path), "note.txt")
    assert doc.text == "DOS: 02/03/2026\nFABER positive\n" and doc.name == "note.txt"
    assert len(doc.sha256) == 64


def test_content_sniffed_not_extension(tmp_path, packet_pdf):
    renamed = tmp_path / "scan.txt"
    renamed.write_bytes(packet_pdf.read_bytes())
    assert ingest(renamed).media_type == "pdf"


# -- PDF packets --------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("phrase, page", PHRASES)
def test_pdf_span_text_page_and_box(packet_pdf, backend, phrase, page):
    doc = ingest(packet_pdf, backend=backend)
    assert doc.media_type == "pdf" and doc.pages == 4 and doc.unreadable_pages == []
    start = doc.text.index(phrase)
    end = start + len(phrase)
    assert doc.text[start:end] == phrase
    assert doc.page_of(start) == page == doc.page_of(end - 1)
    box = doc.bbox(start, end)
    width, height = doc.page_sizes[page - 1]
    assert 0 <= box[0] < box[2] <= width and 0 <= box[1] < box[3] <= height
    expected = _pdfplumber_phrase_box(packet_pdf, page, phrase)
    assert box == pytest.approx(expected, abs=2.0)  # pdfium's loose boxes sit ~1.5 pt higher


def _pdfplumber_phrase_box(path: Path, page: int, phrase: str) -> list[float]:
    """Union of pdfplumber's own word boxes for the words of `phrase` on `page` (first match)."""
    target = phrase.split()
    with pdfplumber.open(path) as pdf:
        words = pdf.pages[page - 1].extract_words()
    texts = [w["text"] for w in words]
    for i in range(len(texts) - len(target) + 1):
        if texts[i:i + len(target)] == target:
            hit = words[i:i + len(target)]
            return [min(w["x0"] for w in hit), min(w["top"] for w in hit),
                    max(w["x1"] for w in hit), max(w["bottom"] for w in hit)]
    raise AssertionError("phrase not found by pdfplumber")


@pytest.mark.parametrize("backend", BACKENDS)
def test_page_starts_and_form_feeds(packet_pdf, backend):
    doc = ingest(packet_pdf, backend=backend)
    assert doc.text.count("\f") == doc.pages - 1
    for number, start in enumerate(doc.page_starts, start=1):
        assert start == 0 or doc.text[start - 1] == "\f"
        assert doc.page_of(start) == number
        assert f"Page {number} of 4" in doc.text[start:(doc.page_starts + [len(doc.text)])[number]]


LEFT = ("Left column opens the history and wraps over several lines of the narrow column. "
        "The patient denies numbness, tingling or weakness in either leg.")
RIGHT = ("Right column holds the examination findings on several lines as well. "
         "Gaenslen test was positive on the left side today.")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("sentence", [
    pytest.param("The patient denies numbness, tingling or weakness in either leg.", id="negation-sentence"),
    pytest.param("Gaenslen test was positive on the left side today.", id="right-column-sentence"),
])
def test_two_column_page_reads_columns_in_order(tmp_path, backend, sentence):
    pdf = new_packet()
    add_two_column_page(pdf, LEFT, RIGHT, title="PHYSICAL THERAPY EVALUATION")
    write(pdf, tmp_path / "cols.pdf")
    doc = ingest(tmp_path / "cols.pdf", backend=backend)
    assert sentence in normalize(doc.text).text
    assert doc.text.index("Left column opens") < doc.text.index("Right column holds")
    with pdfplumber.open(tmp_path / "cols.pdf") as plumber:  # the interleaving this guards against
        assert sentence not in " ".join(plumber.pages[0].extract_text().split())


TABLE = [["Date", "Test", "Result"], ["02/03/2026", "FABER", "Positive left"],
         ["02/03/2026", "Thigh thrust", "Negative"], ["03/03/2026", "Compression", "Positive left"]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_table_read_row_by_row(tmp_path, backend):
    pdf = new_packet()
    add_note(pdf, "PROVOCATIVE TESTS")
    add_table(pdf, TABLE)
    write(pdf, tmp_path / "table.pdf")
    doc = ingest(tmp_path / "table.pdf", backend=backend)
    lines = [" ".join(line.split()) for line in doc.text.split("\n")]
    positions = [lines.index(" ".join(row)) for row in TABLE]
    assert positions == sorted(positions)


STEPS = [f"Step {i}: the plan for week {i} of the home exercise program." for i in range(1, 21)]


def _drawn_pdf(path: Path, order: list[int], overprint: bool = False) -> None:
    """One page whose lines are drawn in `order` (content-stream order differs from reading order)."""
    pdf = new_packet(letterhead="Order Test")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for i in order:
        pdf.text(72, 120 + 14 * i, STEPS[i])
        if overprint:  # fake bold: the same line drawn again a hair to the right
            pdf.text(72.3, 120 + 14 * i, STEPS[i])
    write(pdf, path)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("order, overprint", [
    pytest.param(list(range(20)), False, id="stream-order"),
    pytest.param(list(range(19, -1, -1)), False, id="drawn-bottom-up"),
    pytest.param([i for k in range(4) for i in range(k, 20, 4)], False, id="drawn-scattered"),
    pytest.param(list(range(20)), True, id="overprinted-bold"),
])
def test_reading_order_recovered(tmp_path, backend, order, overprint):
    _drawn_pdf(tmp_path / "order.pdf", order, overprint)
    doc = ingest(tmp_path / "order.pdf", backend=backend)
    lines = [line for line in doc.text.split("\n") if line.startswith("Step")]
    assert lines == STEPS


@pytest.mark.parametrize("backend", BACKENDS)
def test_pages_without_text_layer_listed(tmp_path, backend):
    pdf = new_packet(letterhead="Scan Center")
    add_note(pdf, NOTES[0])
    pdf.add_page()  # a scanned page: an image, no text beyond the letterhead and footer
    pdf.set_fill_color(120, 120, 120)
    pdf.rect(72, 120, 400, 500, style="F")
    add_note(pdf, NOTES[2])
    write(pdf, tmp_path / "scan.pdf")
    doc = ingest(tmp_path / "scan.pdf", backend=backend)
    assert doc.unreadable_pages == [2]
    assert doc.pages == 3


@pytest.mark.parametrize("page_text, repeated, usable", [
    pytest.param("", frozenset(), False, id="no-chars"),
    pytest.param("Page 2 of 9", frozenset(), False, id="very-few-chars"),
    pytest.param("FAX 555-0100 Page 2 of 9\nRiverside Spine Center\nPage 2 of 9",
                 frozenset({"fax #-# page # of #", "riverside spine center", "page # of #"}), False,
                 id="only-repeated-header-lines"),
    pytest.param("\ufffd" * 80 + " left SI joint pain for months", frozenset(), False, id="mostly-unmapped-glyphs"),
    pytest.param("Left SI joint pain for eight months, worse with sitting.", frozenset(), True, id="one-sentence"),
    pytest.param("Left SI joint pain \ufffd for eight months, worse sitting.", frozenset(), True, id="few-unmapped"),
])
def test_page_usability(page_text, repeated, usable):
    assert page_is_usable(page_text, repeated) is usable


def test_backends_give_the_same_words(packet_pdf):
    words = {backend: ingest(packet_pdf, backend=backend).text.split() for backend in BACKENDS}
    assert words["pdfplumber"] == words["pypdfium2"]


# -- bad input ----------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def _pdf_bytes(encrypt: bool = False) -> bytes:
    pdf = new_packet()
    add_note(pdf, f"OFFICE VISIT\nPatient: {CANARY}\n" + FILLER * 20)
    if encrypt:
        pdf.set_encryption(owner_password="owner-pw", user_password="user-pw")
    return bytes(pdf.output())


def _zero_page_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>",
               f"<< /Title ({CANARY}) >>".encode()]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


BAD_INPUTS = [
    pytest.param("empty.pdf", lambda: b"", ErrorCode.EMPTY_FILE, id="zero-bytes"),
    pytest.param("notes.pdf", lambda: f"Patient {CANARY} has pain".encode(), ErrorCode.NOT_A_PDF, id="text-named-pdf"),
    pytest.param("scan.pdf", lambda: PNG + CANARY.encode(), ErrorCode.NOT_A_PDF, id="renamed-png"),
    pytest.param("scan.txt", lambda: PNG + CANARY.encode(), ErrorCode.UNSUPPORTED_TYPE, id="png-named-txt"),
    pytest.param("blob", lambda: b"\x00\x01\x02" + CANARY.encode() + b"\x00" * 50, ErrorCode.UNSUPPORTED_TYPE,
                 id="binary-no-extension"),
    pytest.param("locked.pdf", lambda: _pdf_bytes(encrypt=True), ErrorCode.ENCRYPTED, id="encrypted"),
    pytest.param("cut.pdf", lambda: _pdf_bytes()[: len(_pdf_bytes()) * 6 // 10], ErrorCode.TRUNCATED, id="truncated"),
    pytest.param("header.pdf", lambda: b"%PDF-1.7\n" + CANARY.encode(), ErrorCode.TRUNCATED, id="header-only"),
    pytest.param("zero.pdf", _zero_page_pdf, ErrorCode.NO_PAGES, id="zero-pages"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, make, code", BAD_INPUTS)
def test_bad_input_coded_without_text(tmp_path, backend, name, make, code):
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(InputError) as caught:
        ingest(path, backend=backend)
    assert caught.value.code == code
    assert caught.value.document == name and name in str(caught.value)
    for message in (str(caught.value), caught.value.reason, caught.value.to_model().model_dump_json()):
        assert CANARY.lower() not in message.lower()


@pytest.mark.parametrize("make_path, reason", [
    pytest.param(lambda d: d / "missing.pdf", "no such file", id="missing"),
    pytest.param(lambda d: d, "directory", id="directory"),
])
def test_unreadable_path(tmp_path, make_path, reason):
    with pytest.raises(InputError) as caught:
        ingest(make_path(tmp_path))
    assert caught.value.code == ErrorCode.UNREADABLE_PATH and reason in caught.value.reason


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_path_permission(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    with pytest.raises(InputError) as caught:
        ingest(path)
    assert caught.value.code == ErrorCode.UNREADABLE_PATH


@pytest.mark.parametrize("limits, code", [
    pytest.param({"max_pages": 3}, ErrorCode.TOO_MANY_PAGES, id="too-many-pages"),
    pytest.param({"max_bytes": 1000}, ErrorCode.TOO_LARGE, id="too-large"),
])
def test_limits(packet_pdf, limits, code):
    for source in (packet_pdf, packet_pdf.read_bytes()):
        with pytest.raises(InputError) as caught:
            ingest(source, "packet.pdf", **limits)
        assert caught.value.code == code
    assert ingest(packet_pdf, max_pages=4, max_bytes=10**7).pages == 4


SPACED_TABLE = ("EXAM (left side)\n  Site / test              Result\n  SIJ tenderness           +\n"
                "  Trochanter tenderness    -\n  Compression: positive   Distraction: positive   Coccyx: nontender\n"
                "Exam: (+) L SIJ tenderness  (-) greater trochanter  (-) lumbar paraspinal\n")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("cells", [
    pytest.param(["Site / test", "Result"], id="header-row"),
    pytest.param(["Trochanter tenderness", "-"], id="four-space-gap"),
    pytest.param(["Compression: positive", "Distraction: positive", "Coccyx: nontender"], id="three-space-gaps"),
])
def test_space_aligned_columns_keep_their_gaps(tmp_path, backend, cells):
    render_packet([SPACED_TABLE], tmp_path / "t.pdf")
    doc = ingest(tmp_path / "t.pdf", backend=backend)
    rows = [[c.strip() for c in re.split(r" {3,}", line.strip())] for line in doc.text.split("\n")]
    assert cells in rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_space_gaps_stay_wider_than_word_gaps(tmp_path, backend):
    render_packet([SPACED_TABLE], tmp_path / "t.pdf")
    doc = ingest(tmp_path / "t.pdf", backend=backend)
    assert re.search(r"\(\+\) L SIJ tenderness {2,}\(-\) greater trochanter {2,}\(-\) lumbar", doc.text)
    assert "(+) L SIJ tenderness" in doc.text  # one space stays one space


# -- what the pypdfium2 reader leaves to PDFium ---------------------------------------------------

def _guard_pdfs(tmp_path: Path, packet_pdf: Path) -> list[Path]:
    """PDFs whose text PDFium breaks up differently: a packet, two columns, a table, lines drawn out of
    order and overprinted, space-aligned columns, and a page with an image."""
    from PIL import Image

    paths = [packet_pdf]
    pdf = new_packet()
    add_two_column_page(pdf, LEFT, RIGHT, title="PHYSICAL THERAPY EVALUATION")
    add_note(pdf, "PROVOCATIVE TESTS")
    add_table(pdf, TABLE)
    pdf.add_page()
    Image.new("L", (40, 30), 90).save(tmp_path / "ink.png")
    pdf.image(str(tmp_path / "ink.png"), x=72, y=200, w=200)
    write(pdf, tmp_path / "mixed.pdf")
    _drawn_pdf(tmp_path / "drawn.pdf", [i for k in range(4) for i in range(k, 20, 4)], overprint=True)
    render_packet([SPACED_TABLE], tmp_path / "spaced.pdf")
    return [*paths, tmp_path / "mixed.pdf", tmp_path / "drawn.pdf", tmp_path / "spaced.pdf"]


def test_pdfium_generates_only_whitespace(tmp_path, packet_pdf):
    """The reader skips whitespace instead of asking FPDFText_IsGenerated per character: that holds only
    while PDFium generates nothing but spaces and line breaks (a newer PDFium that did would fail here)."""
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    generated = 0
    for path in _guard_pdfs(tmp_path, packet_pdf):
        pdf = pdfium.PdfDocument(path)
        for page in pdf:
            textpage = page.get_textpage()
            count = textpage.count_chars()
            text = textpage.get_text_range(0, count)
            assert len(text) == count
            marks = [i for i in range(count) if raw.FPDFText_IsGenerated(textpage.raw, i)]
            assert {text[i] for i in marks} <= {" ", "\r", "\n"}
            generated += len(marks)
        pdf.close()
    assert generated > 100  # PDFium did generate separators on these pages: the check saw some


def test_image_objects_found_as_pypdfium2_finds_them(tmp_path, packet_pdf):
    import pypdfium2 as pdfium
    from pypdfium2 import raw

    from extractor.ingest.pdftext import _has_image_object

    answers = []
    for path in _guard_pdfs(tmp_path, packet_pdf):
        pdf = pdfium.PdfDocument(path)
        for page in pdf:
            expected = any(o.type == raw.FPDF_PAGEOBJ_IMAGE for o in page.get_objects(max_depth=1))
            assert _has_image_object(page, raw) == expected
            answers.append(expected)
        pdf.close()
    assert True in answers and False in answers
