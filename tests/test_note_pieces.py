"""An over-long note is read in pieces (extractor.extract.note_pieces) that cover it exactly."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest

from extractor.extract import MAX_PIECE_CHARS, extract_case, note_pieces, prepare_notes
from extractor.ingest.reader import IngestedDocument
from models import Note


def _cover(text: str, note: Note, size: int) -> list[Note]:
    pieces = note_pieces(text, note, size)
    assert pieces[0].start == note.start and pieces[-1].end == note.end
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert all(0 < p.end - p.start <= size for p in pieces)
    assert all((p.date_of_service, p.kind, p.title) == (note.date_of_service, note.kind, note.title) for p in pieces)
    return pieces


@pytest.mark.parametrize("text, size, cut_after", [
    pytest.param("para one line\nmore words\n\nparagraph two words here\nline", 30, "\n\n", id="blank-line-first"),
    pytest.param("line one words here\nline two words here\nline three", 30, "\n", id="line-break-next"),
    pytest.param("words and more words and more words and more words", 20, " ", id="space-last"),
])
def test_pieces_cut_at_the_softest_break_in_the_second_half(text, size, cut_after):
    pieces = _cover(text, Note(start=0, end=len(text)), size)
    assert len(pieces) > 1
    assert text[:pieces[0].end].endswith(cut_after)


def test_a_text_without_breaks_is_cut_at_the_size():
    text = "x" * 95
    assert [(p.start, p.end) for p in _cover(text, Note(start=0, end=95), 40)] == [(0, 40), (40, 80), (80, 95)]


def test_a_note_within_the_size_is_itself():
    note = Note(start=3, end=50, date_of_service=dt.date(2026, 3, 2), kind="office_visit", title="Visit")
    assert note_pieces("y" * 60, note)[0] is note


def test_pieces_of_a_note_inside_a_longer_document_stay_inside_it():
    text = "header\n" + "word " * 200 + "\ntrailer"
    note = Note(start=7, end=len(text) - 8, date_of_service=dt.date(2026, 1, 5))
    assert len(_cover(text, note, 100)) >= 10


def _document(text: str) -> IngestedDocument:
    return IngestedDocument(name="long.txt", sha256="0" * 64, media_type="text", text=text, page_starts=[0])


def test_a_long_note_is_reviewed_in_pieces_and_listed_once():
    block = ("Left SI joint injection under fluoroscopy with contrast on 03/02/2026, 80% relief.\n"
             "FABER positive on the left.\n\n")
    text = block * (3 * MAX_PIECE_CHARS // len(block))
    prepared = prepare_notes(_document(text))
    assert len(prepared) >= 3 and all(p.whole is prepared[0].whole for p in prepared)
    case = extract_case([_document(text)])
    assert len(case.notes["long.txt"]) == 1 and case.notes["long.txt"][0].end == len(text)
    for fact in case.facts:
        for ev in fact.evidence:
            assert text[ev.start:ev.end] == ev.text
    assert {f.type for f in case.facts} >= {"injection", "provocative_test"}
