"""Note header lines (extractor/text/segment.py): what a line says as a note title, a date-of-service
header, or both, read with the vocabulary of `extractor/rules/segments.json` (validated and compiled here)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.rules.loader import load_rules
from extractor.text.temporal import find_dates, parse_date
from models.document import NoteKind


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TitleRule(_Rule):
    kind: NoteKind
    strong: bool = Field(description="starts a note anywhere; weak titles only at a page top or above a date header")
    pattern: str


class KindKeywords(_Rule):
    kind: NoteKind
    min_hits: int = Field(ge=1)
    patterns: tuple[str, ...]


class SegmentRules(_Rule):
    description: str = ""
    header_window_lines: int = Field(ge=1)
    page_top_lines: int = Field(ge=1)
    max_title_words: int = Field(ge=1)
    titles: tuple[TitleRule, ...]
    date_labels: tuple[str, ...]
    weak_date_labels: tuple[str, ...]
    closing_labels: tuple[str, ...] = Field(default=(), description="labels of a report's last fields (IMPRESSION): "
                                            "such a line above a date header ends the note before, never opens the next")
    kind_keywords: tuple[KindKeywords, ...]
    label_kinds: dict[str, NoteKind] = Field(default_factory=dict, description="date label (lower case) -> kind it implies")
    table_header_labels: tuple[str, ...] = Field(description="first cells of a table's header row (\"Date | Procedure "
                                                  "| ...\"): a dated row under it is the next row, not a new note")


@dataclass(frozen=True)
class CompiledRules:
    rules: SegmentRules
    titles: tuple[tuple[TitleRule, re.Pattern[str]], ...]
    date_label: re.Pattern[str]
    weak_date_label: re.Pattern[str]
    closing_label: re.Pattern[str]
    table_header: re.Pattern[str]
    kinds: tuple[tuple[KindKeywords, tuple[re.Pattern[str], ...]], ...]


@lru_cache(maxsize=1)
def compiled_rules() -> CompiledRules:
    rules = load_rules("segments", SegmentRules)
    labels = "|".join(rules.date_labels)
    weak = "|".join(rules.weak_date_labels)
    return CompiledRules(
        rules=rules,
        titles=tuple((r, re.compile(r.pattern, re.IGNORECASE)) for r in rules.titles),
        date_label=re.compile(rf"(?:^|(?<=[\s|]))(?:{labels})(?:\s*(?:[:#]|-(?!\d))\s*|\s+(?=\d))", re.IGNORECASE),
        weak_date_label=re.compile(rf"(?:^|(?<=[\s|-]))(?:{weak})\s*:\s*", re.IGNORECASE),
        closing_label=re.compile(rf"^\s*(?:{'|'.join(rules.closing_labels) or '(?!)'})\s*:", re.IGNORECASE),
        table_header=re.compile(rf"^[\s|]*(?:{'|'.join(rules.table_header_labels)})\b", re.IGNORECASE),
        kinds=tuple((k, tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in k.patterns)) for k in rules.kind_keywords),
    )


_COLUMN_GAP = re.compile(r"\S(?: {3,}|\t)\S")


def match_title(line: str) -> TitleRule | None:
    """The title rule a line matches, if the line looks like a title: short, no sentence, and in
    capitals or Title Case (a strong title may be in sentence case: "Letter of medical necessity")."""
    comp = compiled_rules()
    stripped = line.strip().rstrip(":").strip()
    words = stripped.split()
    if not words or len(words) > comp.rules.max_title_words or ":" in stripped or stripped.endswith("."):
        return None
    if _COLUMN_GAP.search(stripped):
        return None  # a table row ("Physical therapy     10 weeks     no benefit")
    letters = [c for c in stripped if c.isalpha()]
    if not letters or not letters[0].isupper():
        return None
    capitalized = sum(w[0].isupper() for w in words if w[0].isalpha())
    heading = sum(c.isupper() for c in letters) >= 0.8 * len(letters) or capitalized >= 0.7 * len(words)
    for rule, pattern in comp.titles:
        if (heading or rule.strong) and pattern.search(stripped):
            return rule
    return None


def match_date_header(line: str, weak: bool = False, anchor: dt.date | None = None) -> dt.date | None:
    """The date of a date-of-service header line ("DOS: 2/3/2026"); weak labels ("Date:") if `weak`."""
    comp = compiled_rules()
    m = _header_label(line)
    if m is None and weak:
        m = comp.weak_date_label.match(line.lstrip())
        line = line.lstrip()
    if m is None:
        return None
    return parse_date(line[m.end():m.end() + 40], anchor)


def _header_label(line: str) -> re.Match[str] | None:
    """A date-of-service label at the line start, or capitalized further along ("Pt: X  DOS: ...")."""
    for m in compiled_rules().date_label.finditer(line):
        if not line[:m.start()].strip() or line[m.start()].isupper():
            return m
    return None


@dataclass(frozen=True)
class LineHeader:
    """What a line says as a note header: a title, a date of service, or both ("Office Note - Visit
    date: 07/07/2025", "XR PELVIS AP    Date: 08/04/2025", "Exam date: 10/06/2025  XR SI JOINTS: ...")."""

    rule: TitleRule | None = None
    title: str | None = None
    date: dt.date | None = None
    label: str | None = None  # the date's label, lower case; "#date" for a line that starts with a bare date
    leading: bool = False     # the date (or its label) begins the line
    entry: bool = False       # text follows the date: a dated entry of a log ("DOS 08/18/2025: R SIJ block ...")


_BARE_DATE = re.compile(r"^\s*(?:\d{1,2}/\d{1,2}/(?:19|20)?\d\d|(?:19|20)\d\d-\d\d-\d\d)\b")


def read_header(line: str) -> LineHeader:
    """The title and date-of-service header that `line` holds, if any."""
    rule = match_title(line)
    title = _clean_title(line) if rule else None
    m = _header_label(line) or _weak_label_after_title(line) or _BARE_DATE.match(line)
    if m is None:
        return LineHeader(rule, title)
    bare = m.re is _BARE_DATE
    date_at = m.start() if bare else m.end()
    mentions = find_dates(line[date_at:date_at + 40])
    if not mentions or mentions[0].start > 0 and bare:
        return LineHeader(rule, title)
    prefix = "" if bare else _clean_title(line[:m.start()])
    rest = line[date_at + mentions[0].end:]
    if rule is None and (prefix or rest.strip()):
        head = prefix or _clean_title(rest.split(":")[0])
        rule = match_title(head)
        title = head if rule else None
    label = "#date" if bare else " ".join(m.group().lower().strip(" :#-").split())
    return LineHeader(rule, title, mentions[0].date, label, leading=not prefix,
                      entry=sum(c.isalpha() for c in rest) >= 10)


def _weak_label_after_title(line: str) -> re.Match[str] | None:
    """ "Date:" further along a line only after a title ("Letter of medical necessity - Date: ...")."""
    for m in compiled_rules().weak_date_label.finditer(line):
        prefix = _clean_title(line[:m.start()])
        if prefix and match_title(prefix):
            return m
    return None


def _clean_title(text: str) -> str:
    return text.strip().strip("-|,;:\t ").strip()


def is_note_header(line: str) -> bool:
    """A note title or date-of-service line: these are never treated as repeated page headers."""
    return match_title(line) is not None or _header_label(line) is not None
