"""Split a packet's text into notes, each with its date of service, kind and title.

A note begins at a note title ("PROCEDURE NOTE", "MRI LUMBAR SPINE", "PROGRESS NOTE") or at
a date-of-service header block ("Date of Service: 02/03/2026") that opens a new block of
text; a title and a date may share a line ("Office Note - Visit date: 07/07/2025"). In a
dated log, each line or block that repeats the log's date label ("DOS 08/18/2025: R SIJ
block ...", or a bare "10/13/2025 ..." under a log title) opens the next note. When a note
begins among the first lines of a page, it begins at the page start (the form feed), so a
page's letterhead goes with its note; a form feed alone (a continuation page, even one that
repeats the title or the same date) starts nothing. Repeated header/footer lines
(`drop_lines`, e.g. fax headers) never start notes nor give dates. A note's kind comes from
its title, else its section words, else its date label, else the note before it under the
same heading. The vocabulary lives in `extractor/rules/segments.json`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractor.text.cells import cells_of
from extractor.text.normalize import NormalizedText, TextStyle, document_view, line_key, visible
from extractor.text.note_headers import (  # noqa: F401  (SegmentRules re-exported: tests validate the rules file)
    LineHeader,
    SegmentRules,
    TitleRule,
    compiled_rules,
    match_date_header,
    match_title,
    read_header,
)
from models import Note
from models.document import NoteKind


@dataclass
class _Line:
    start: int
    end: int
    text: str
    page_top: bool   # among the first content lines of its page
    page_start: int  # offset where its page begins
    after_blank: bool


def _lines(text: str, drop_lines: frozenset[str], top_lines: int) -> list[_Line]:
    """Content lines (non-blank, not repeated headers) with their place on the page."""
    out: list[_Line] = []
    pos, page_start, seen_on_page, blank = 0, 0, 0, True
    for raw in text.split("\n"):
        for k, chunk in enumerate(raw.split("\f")):
            if k:
                page_start, seen_on_page, blank = pos, 0, True
            if not chunk.strip():
                blank = True
            elif not (drop_lines and line_key(chunk) in drop_lines):
                out.append(_Line(pos, pos + len(chunk), chunk, seen_on_page < top_lines, page_start, blank))
                seen_on_page += 1
                blank = False
            pos += len(chunk) + 1
    return out


@dataclass
class _Open:
    """The note being built."""

    start: int
    first_line: int
    title: str | None = None
    rule: TitleRule | None = None
    date: dt.date | None = None
    label: str | None = None  # the label its date came with ("date of service", "#date" for a bare date)
    entry: bool = False  # its date came from a dated log entry line
    body_seen: bool = False  # a line other than titles, dates and labels ("Patient:") since the start


def _better_title(rule: TitleRule, current: _Open) -> bool:
    """In one header block the later title wins ("GREENFIELD PHYSICAL THERAPY" then the note's own
    title), unless it is weak and the current one strong ("PROCEDURE NOTE" then "LEFT SI INJECTION")."""
    return current.rule is None or rule.strong or not current.rule.strong


def segment_notes(text: str, drop_lines: frozenset[str] = frozenset(), style: TextStyle | None = None) -> list[Note]:
    """Notes [start, end) covering `text`, in order (an empty text has none). A document typed with
    doubled word gaps or without capitals is read in its `document_view` (`style`: default, its own)."""
    view = document_view(text, style)
    if view.text == text or not view.text:
        return _segment(text, drop_lines)
    notes = _segment(view.text, drop_lines)
    starts = [0] + [int(view.offsets[n.start]) for n in notes[1:]]
    ends = starts[1:] + [len(text)]
    return [n.model_copy(update={"start": s, "end": e, "title": _title_in(text, view, n)})
            for n, s, e in zip(notes, starts, ends)]


def _title_in(text: str, view: NormalizedText, note: Note) -> str | None:
    """A note's title in the document's own words (the view's title with the document's case, gaps collapsed)."""
    at = view.text.find(note.title, note.start, note.end) if note.title else -1
    if at < 0:
        return note.title
    s, e = view.to_original(at, at + len(note.title))
    return " ".join(visible(text[s:e]).split())


def _segment(text: str, drop_lines: frozenset[str]) -> list[Note]:
    if not text:
        return []
    rules = compiled_rules().rules
    lines = _lines(text, drop_lines, rules.page_top_lines)
    opened = [_Open(start=0, first_line=0)]
    for i, line in enumerate(lines):
        current = opened[-1]
        in_header = i - current.first_line < rules.header_window_lines
        head = read_header(line.text)
        if head.rule and _title_starts(head, line, lines, i, current, in_header):
            opened.append(_Open(_start_of(line, lines, i, current, head), i, head.title, head.rule))
        elif head.date and _date_starts(head, lines, i, current, in_header):
            opened.append(_Open(_start_of(line, lines, i, current, head), i))
        elif head.rule and in_header and (current.title is None or not current.body_seen and _better_title(head.rule, current)):
            current.title, current.rule = head.title, head.rule
        elif not (head.rule or head.date or _is_label_line(line.text)):
            current.body_seen = True
        current = opened[-1]
        if current.date is None and i - current.first_line < rules.header_window_lines:
            _date_from_header(current, head, line.text)
    return _close(text, lines, opened)


def _date_from_header(note: _Open, head: LineHeader, text: str) -> None:
    """Give a note still undated the date of a header line of its opening block."""
    if head.date:
        note.date, note.label, note.entry = head.date, head.label, head.entry
    else:
        note.date, note.label = match_date_header(text, weak=True), "date"


def _title_starts(head: LineHeader, line: _Line, lines: list[_Line], i: int, current: _Open, in_header: bool) -> bool:
    """A title starts a note unless it belongs to the header block of the current note (no body yet)."""
    if i == 0:
        return False
    fresh_page = line.page_top and line.page_start > current.start
    date = head.date or _date_below(lines, i)
    if not fresh_page and in_header and (current.title is None or not current.body_seen):
        return current.date is not None and date is not None and date != current.date
    if current.title is not None and line_key(head.title or "") == line_key(current.title):
        # the same title printed again atop a continuation page: a new note only under a new date
        return date is not None and date != current.date
    return bool(head.rule and head.rule.strong) or fresh_page or date is not None


def _date_below(lines: list[_Line], i: int) -> dt.date | None:
    """The date of a date header in the block that line `i` heads, if any."""
    for other in lines[i + 1:i + 1 + compiled_rules().rules.header_window_lines]:
        if other.after_blank or match_title(other.text):
            return None  # the header block ended without a date: a heading inside a note
        date = match_date_header(other.text, weak=True)
        if date:
            return date
    return None


def _date_starts(head: LineHeader, lines: list[_Line], i: int, current: _Open, in_header: bool) -> bool:
    """A date header opens a new note when it begins a block past the current note's header (or
    follows a field or two that begin it: "EXAM: MRI PELVIS" then "Exam date: ..."), or when it
    repeats, at a line start, the label of the note it ends: the next entry of a dated log
    ("Date of Service: ..." blocks, "DOS 08/18/2025: ..." or "10/13/2025 R SIJ ..." lines)."""
    line = lines[i]
    if current.date == head.date:
        return False  # the same visit's header repeated on a continuation page
    if _in_headed_table(lines, i):
        return False  # the next row of a table ("01/13/2026 | SIJ inj | R | ... | 80%") under its "Date | ..." header
    next_entry = head.leading and head.label == current.label and (head.label != "#date" or head.entry)
    if head.label == "#date":
        return next_entry
    if line.page_top and line.page_start > current.start:
        return True
    if in_header and current.date is None:
        return False
    if next_entry or line.page_top or line.after_blank or (current.entry and head.leading):
        return True
    first = _fields_above(lines, i, current)
    return first < i and (lines[first].after_blank or lines[first].page_top)


def _fields_above(lines: list[_Line], i: int, current: _Open) -> int:
    """Index of the first of up to 2 short "Label: value" lines just above line `i` in its block."""
    j = i
    closing = compiled_rules().closing_label
    while (j > current.first_line + 1 and j > i - 2 and not lines[j].after_blank
           and _FIELD_LINE.match(lines[j - 1].text) and len(lines[j - 1].text) < 100
           and not closing.match(lines[j - 1].text)):
        j -= 1
    return j


def _start_of(line: _Line, lines: list[_Line], i: int, current: _Open, head: LineHeader) -> int:
    """Where the note that `line` opens begins: its page start if near the top, else its block. A
    dated log entry ("03/10/2026 Right SIJ block #2", "DOS 08/18/2025: R SIJ block") begins at its own
    line: the "Label: value" lines above it are the previous entry's ("Relief: 90%.")."""
    if line.page_top and line.page_start > current.start:
        return line.page_start
    if head.date is not None and head.leading and head.entry:
        return line.start
    return lines[_fields_above(lines, i, current)].start


def _in_headed_table(lines: list[_Line], i: int) -> bool:
    """Line `i` is a row of a table whose header row ("Date | Procedure | Side | ...") is above it, the rows
    between all table rows, no blank line."""
    if i == 0 or lines[i].after_blank or not _is_table_row(lines[i].text):
        return False
    j = i - 1
    while j >= 0 and _is_table_row(lines[j].text):
        if compiled_rules().table_header.match(lines[j].text) and not match_date_header(lines[j].text, weak=True):
            return True
        if lines[j].after_blank:
            return False
        j -= 1
    return False



def _is_table_row(text: str) -> bool:
    """A line of at least three cells split by pipes, tabs or runs of spaces."""
    return len([c for c in cells_of(text) if c.strip()]) >= 3


_FIELD_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z /&().#-]{0,30}:\s*\S")
_LABEL_LINE = re.compile(r"^\s*(?:patient|pt|name|mrn|dob|re|date of birth|account|acct|provider|physician|"
                         r"referring|facility|location|age|sex)\b[^:]{0,20}:", re.IGNORECASE)


def _is_label_line(text: str) -> bool:
    return bool(_LABEL_LINE.match(text))


def _close(text: str, lines: list[_Line], opened: list[_Open]) -> list[Note]:
    notes: list[Note] = []
    for k, note in enumerate(opened):
        end = opened[k + 1].start if k + 1 < len(opened) else len(text)
        if end <= note.start:
            continue
        kind = note.rule.kind if note.rule else _kind_from_body(text[note.start:end])
        if kind == "other" and note.label:
            kind = compiled_rules().rules.label_kinds.get(note.label, "other")  # "Visit date:", "Exam date:"
        if kind == "other" and note.rule is None and notes and note.title is None:
            kind = notes[-1].kind  # the next dated entry under the same heading ("X - PROCEDURES")
        notes.append(Note(start=note.start, end=end, date_of_service=note.date, kind=kind, title=note.title))
    if notes:
        notes[0] = notes[0].model_copy(update={"start": 0})
    return notes


def _kind_from_body(body: str) -> NoteKind:
    """The kind whose keywords the note's opening shows most (at least `min_hits` of them)."""
    head = "\n".join(body.split("\n")[:80])
    best: tuple[int, NoteKind] = (0, "other")
    for keywords, patterns in compiled_rules().kinds:
        hits = sum(1 for p in patterns if p.search(head))
        if hits >= keywords.min_hits and hits > best[0]:
            best = (hits, keywords.kind)
    return best[1]
