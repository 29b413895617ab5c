"""The PDF packet renderer and the demo packet script."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from chartsift.packet import render_packet, to_latin1
from extractor.ingest.reader import ingest
from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import normalize
from extractor.text.segment import segment_notes

ROOT = Path(__file__).resolve().parents[1]
LONG = "PROGRESS NOTE\nDate of Service: 03/03/2026\n" + "\n".join(f"Line {i} of a long note." for i in range(120))
NOTES = ["OFFICE VISIT\nDate of Service: 02/03/2026\nFABER (+) L", LONG, "PROCEDURE NOTE\nDOS: 03/20/2026\nDone."]


@pytest.mark.parametrize("text, expected", [
    pytest.param("Patrick\u2019s \u201cFABER\u201d \u2013 positive", "Patrick's \"FABER\" - positive", id="quotes-dashes"),
    pytest.param("relief \u2265 80% \u2022 pain \u2264 2", "relief >= 80% * pain <= 2", id="math-and-bullets"),
    pytest.param("\u2610 no \u2612 yes", "[ ] no [x] yes", id="checkboxes"),
    pytest.param("caf\u00e9 37\u00b0C \u00bd", "caf\u00e9 37\u00b0C \u00bd", id="latin1-kept"),
    pytest.param("\ufb01nal \u0141\u00f3d\u017a", "final L\u00f3dz", id="decomposable"),
    pytest.param("ok \U0001F600", "ok ?", id="unmappable"),
])
def test_to_latin1(text, expected):
    assert to_latin1(text) == expected


def test_render_is_deterministic(tmp_path):
    render_packet(NOTES, tmp_path / "a.pdf", header="FAX  Page {page} of {pages}")
    render_packet(NOTES, tmp_path / "b.pdf", header="FAX  Page {page} of {pages}")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


def test_pages_header_footer_and_note_starts(tmp_path):
    pages = render_packet(NOTES, tmp_path / "p.pdf", letterhead="Acme Spine", header="FAX 555-0100 Page {page} of {pages}")
    doc = ingest(tmp_path / "p.pdf")
    assert pages == doc.pages >= 4  # the long note breaks onto a second page
    for number in range(1, pages + 1):
        start = doc.page_starts[number - 1]
        page_text = doc.text[start:(doc.page_starts + [len(doc.text) + 1])[number] - 1]
        assert "Acme Spine" in page_text
        assert f"FAX 555-0100 Page {number} of {pages}" in page_text
        assert f"Page {number} of {pages}" in page_text.split("\n")[-1]
    for title in ("OFFICE VISIT", "PROGRESS NOTE", "PROCEDURE NOTE"):  # each note opens a page
        offset = doc.text.index(title)
        head = doc.text[doc.page_starts[doc.page_of(offset) - 1]:offset]
        assert [line for line in head.split("\n") if line.strip()] == [f"FAX 555-0100 Page {doc.page_of(offset)} of {pages}",
                                                                       "Acme Spine"]
    assert doc.page_of(doc.text.index("PROCEDURE NOTE")) == pages
    assert doc.page_of(doc.text.index("Line 119 of")) == pages - 1


def test_two_column_and_table_options(tmp_path):
    note = ("PHYSICAL THERAPY EVALUATION\n\nThe patient completed six weeks of therapy with a home program.\n\n"
            "She denies numbness or tingling in the legs and has no weakness.")
    render_packet([note, "PROVOCATIVE TESTS"], tmp_path / "p.pdf", two_column_pages={0},
                  table_rows={1: [["Test", "Result"], ["FABER", "positive left"]]})
    doc = ingest(tmp_path / "p.pdf")
    clean = normalize(doc.text).text
    assert "She denies numbness or tingling in the legs and has no weakness." in clean
    assert any(" ".join(line.split()) == "FABER positive left" for line in doc.text.split("\n"))


def test_two_column_text_must_fit_one_page(tmp_path):
    with pytest.raises(ValueError, match="one page"):
        render_packet(["word " * 3000 + "\n\n" + "word " * 3000], tmp_path / "p.pdf", two_column_pages={0})


def _load_make_demo():
    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "corpora" / "demo" / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_demo_renders_notes_in_name_order(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "02_b.txt").write_text("PROCEDURE NOTE\nDate of Service: 03/01/2026\nInjection done.\n")
    (src / "01_a.txt").write_text("OFFICE VISIT\nDate of Service: 02/01/2026\nPain.\n")
    assert _load_make_demo().main(["--src", str(src), "--out", str(tmp_path / "out.pdf")]) == 0
    doc = ingest(tmp_path / "out.pdf")
    assert doc.text.index("OFFICE VISIT") < doc.text.index("PROCEDURE NOTE")
    assert doc.page_of(doc.text.index("PROCEDURE NOTE")) == 2


@pytest.mark.skipif(not list((ROOT / "corpora" / "demo" / "src").glob("*.txt")), reason="demo notes not written yet")
def test_demo_packet_segments_into_dated_notes(tmp_path):
    sources = sorted((ROOT / "corpora" / "demo" / "src").glob("*.txt"))
    _load_make_demo().main(["--out", str(tmp_path / "packet.pdf")])
    doc = ingest(tmp_path / "packet.pdf")
    notes = segment_notes(doc.text, repeated_page_lines(doc.text, doc.page_starts))
    assert len(notes) >= len(sources) and doc.unreadable_pages == []
    assert all(n.date_of_service is not None for n in notes)
    named = {m.group() for p in sources if (m := re.search(r"\d{4}-\d\d-\d\d", p.name))}
    assert named <= {n.date_of_service.isoformat() for n in notes}


WRAPPED_NOTE = """OFFICE VISIT
Date of Service: 02/03/2026

HPI: Ms. Doe is a 55-year-old office manager with left buttock pain for 16 months. She
cannot sit longer than 15 minutes and the pain does not radiate below the knee; she denies
numbness or weakness.
Provocative tests:
- Thigh thrust (P4): positive on the left
- FABER (Patrick's): positive on the left
[x] Home exercise program reviewed

ASSESSMENT
Left sacroiliitis. Former smoker, quit 2016, a non-smoker since.
"""


def test_pdf_and_text_paths_normalize_to_the_same_lines(tmp_path):
    render_packet([WRAPPED_NOTE], tmp_path / "p.pdf", letterhead="Acme Spine")
    doc = ingest(tmp_path / "p.pdf")
    from_pdf = [" ".join(line.split()) for line in normalize(doc.text).text.split("\n") if line.strip()]
    from_text = [" ".join(line.split()) for line in normalize(WRAPPED_NOTE).text.split("\n") if line.strip()]
    assert from_pdf == ["Acme Spine", *from_text, "Page 1 of 1"]
    assert "for 16 months. She cannot sit longer than 15 minutes and the pain does not radiate below the knee;" in from_text[2]
