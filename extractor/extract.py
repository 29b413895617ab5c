"""Runs the fact stages over ingested documents: segment -> normalize -> nlp -> facts -> resolve.

The one place that knows the order of the stages (DESIGN habit 4). Each stage is a function
of its own module and can be called and tested alone.
"""
from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass

from extractor.ingest.ocr_repair import repair_ocr_note
from extractor.ingest.reader import IngestedDocument
from extractor.nlp.context import NoteContext
from extractor.resolve.merge import DatedFact, resolve
from extractor.resolve.retellings import absorb_retellings
from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import NormalizedText, normalize, text_style
from extractor.text.segment import segment_notes
from models import Fact, Note

#: one module per fact type under extractor/facts/, each with `extract(doc, ctx) -> list[Fact]`
FACT_MODULES = ("pain_pattern", "tenderness", "provocative_test", "injection", "conservative_treatment",
                "imaging", "smoking_status", "diagnosis", "planned_procedure")


@dataclass(frozen=True)
class ShiftedOffsets:
    """Offsets of a note's normalized text -> offsets in the whole document text."""

    normalized: NormalizedText
    base: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        # Trim in the normalized text first: a newline standing for a dropped fax header or page
        # footer maps onto that whole line, which must never become part of a quote.
        text = self.normalized.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        s, e = self.normalized.to_original(start, end)
        return s + self.base, e + self.base


#: a note longer than this is read in consecutive pieces (cut at a blank line, else a line break, else
#: a space). No real note comes near it (corpora: 2,317 characters at most; MTSamples: 30,984), but a
#: packet with no note header at all is one note, and parts of medspaCy and the fact modules grow
#: faster than a note's length: pieces keep a 2-million-character note linear. Each piece keeps the
#: note's date, title and kind; a section heading is not carried across a cut.
MAX_PIECE_CHARS = 40_000


@dataclass
class PreparedNote:
    context: NoteContext
    text: str
    whole: Note | None = None  # the note this is a piece of (None: the note itself)


def prepare_notes(source: IngestedDocument) -> list[PreparedNote]:
    """Split a document into notes and give each its normalized NLP text and context."""
    drop = repeated_page_lines(source.text, source.page_starts)
    style = text_style(source.text)  # one style for every note of the document
    notes = segment_notes(source.text, drop, style) or [Note(start=0, end=len(source.text))]
    prepared = []
    for note in notes:
        for piece in note_pieces(source.text, note):
            norm = repair_ocr_note(normalize(source.text[piece.start:piece.end], drop, style), source, piece.start)
            ctx = NoteContext(source=source, note=piece, offsets=ShiftedOffsets(norm, piece.start))
            prepared.append(PreparedNote(ctx, norm.text, None if piece is note else note))
    return prepared


def note_pieces(text: str, note: Note, size: int = MAX_PIECE_CHARS) -> list[Note]:
    """`note` itself, or consecutive pieces of it of at most `size` characters covering it exactly."""
    if note.end - note.start <= size:
        return [note]
    pieces, pos = [], note.start
    while pos < note.end:
        end = min(pos + size, note.end)
        if end < note.end:
            for sep in ("\n\n", "\n", " "):
                cut = text.rfind(sep, pos + size // 2, end)
                if cut >= 0:
                    end = cut + len(sep)
                    break
        pieces.append(note.model_copy(update={"start": pos, "end": end}))
        pos = end
    return pieces


def _extractors():
    return [importlib.import_module(f"extractor.facts.{name}").extract for name in FACT_MODULES]


def extract_notes(prepared: list[PreparedNote]) -> list[DatedFact]:
    """Every fact of every note, each with the note's date (the default date of what it says)."""
    # spaCy and the fact modules load on first use, never at import: `import chartsift` (a screen
    # parent, the CLI's light commands) must not pay for the NLP
    from extractor.nlp.pipeline import process

    extractors = _extractors()
    docs = process([p.text for p in prepared])
    found: list[DatedFact] = []
    for p, doc in zip(prepared, docs):
        for extract in extractors:
            found.extend(DatedFact(fact, p.context.date) for fact in extract(doc, p.context))
    return found


def link_across_notes(found: list[DatedFact], prepared: list[PreparedNote]) -> list[DatedFact]:
    """Packet-level links that need every note at once (relief told in a later note)."""
    from extractor.facts.injection.link import link_case  # loads spaCy: see extract_notes

    return absorb_retellings(link_case(found, prepared))


@dataclass
class CaseFacts:
    facts: list[Fact]
    notes: dict[str, list[Note]]  # by document name
    latest_date: dt.date | None  # the latest date of service seen


def extract_case(sources: list[IngestedDocument]) -> CaseFacts:
    """Facts of a whole case (resolved, ids assigned), the notes of each document, the latest date of service."""
    prepared = [p for source in sources for p in prepare_notes(source)]
    found = link_across_notes(extract_notes(prepared), prepared)
    notes: dict[str, list[Note]] = {}
    for p in prepared:
        note = p.whole or p.context.note
        listed = notes.setdefault(p.context.source.name, [])
        if not listed or listed[-1] is not note:  # a note read in pieces is listed once
            listed.append(note)
    dates = [p.context.date for p in prepared if p.context.date]
    return CaseFacts(resolve(found), notes, max(dates) if dates else None)
