"""What a fact extractor is handed for one note: the spaCy doc plus the way back to the document.

The NLP runs on the normalized text of one note; evidence offsets must point into the
original document text (SPEC section 3). `NoteContext.evidence` does that mapping, adds the
page and the PDF bbox, and records the rule id, so fact modules never touch offsets.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from extractor.nlp.doc_cache import once_per_doc
from models import Evidence, Note

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


class OffsetMap(Protocol):
    def to_original(self, start: int, end: int) -> tuple[int, int]: ...


class SourceDocument(Protocol):
    """What `extractor.ingest.reader.IngestedDocument` offers the context."""

    name: str
    text: str

    def page_of(self, offset: int) -> int | None: ...
    def bbox(self, start: int, end: int) -> list[float] | None: ...


@dataclass
class NoteContext:
    source: SourceDocument
    note: Note
    #: maps offsets of the note's NLP text (normalized) back into `source.text`
    offsets: OffsetMap
    facts_seen: list = field(default_factory=list)
    #: (NLP text, its relief statements): read once, by extractor.facts.injection.relief.note_statements
    relief_statements: tuple | None = field(default=None, repr=False)

    @property
    def date(self) -> dt.date | None:
        """The note's date of service: the default date of what it says."""
        return self.note.date_of_service

    def evidence(self, start: int, end: int, rule: str | None = None, section: str | None = None) -> Evidence:
        """Evidence for [start, end) of the note's NLP text, in document coordinates."""
        s, e = self.offsets.to_original(start, end)
        s, e = _trim(self.source.text, s, e)
        return Evidence(document=self.source.name, page=self.source.page_of(s), start=s, end=e,
                        text=self.source.text[s:e], section=section, bbox=self.source.bbox(s, e), rule=rule)

    def span_evidence(self, span: "Span", rule: str | None = None) -> Evidence:
        """Evidence for a spaCy span (sentence or entity), with its medspaCy section if any."""
        return self.evidence(span.start_char, span.end_char, rule=rule,
                             section=doc_section(span.doc, span.start_char))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding whitespace so quotes are clean and never empty when avoidable."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def doc_section(doc: "Doc", char_offset: int) -> str | None:
    """medspaCy section category of the token at `char_offset`, if the sectionizer ran.

    The same answer as `doc.char_span(char_offset, char_offset + 1, alignment_mode="expand")[0]._.
    section_category` (None on whitespace between tokens), from token tables built once per doc."""
    from spacy.tokens import Token

    if not Token.has_extension("section_category"):
        return None
    starts, ends, categories = once_per_doc(doc, _SECTION_TABLE_KEY, _section_table)
    i = bisect_right(starts, char_offset) - 1
    return categories[i] if i >= 0 and char_offset < ends[i] else None


_SECTION_TABLE_KEY = "chartsift.token_sections"


def _section_table(doc: "Doc") -> tuple[list[int], list[int], list[str | None]]:
    """Each token's first character, its end (without trailing space) and its medspaCy section category
    (the sectionizer gives a token the last section that covers it: `token._.section`)."""
    from spacy.attrs import IDX, LENGTH

    table = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
    starts = [start for start, _ in table]
    ends = [start + length for start, length in table]
    categories: list[str | None] = [None] * len(doc)
    for section in doc._.sections if doc.has_extension("sections") else ():
        start, end = section.section_span
        categories[start:end] = [section.category] * len(categories[start:end])
    return starts, ends, categories
