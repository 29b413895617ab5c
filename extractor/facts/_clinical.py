"""Small text helpers shared by the imaging, pain_pattern, tenderness, diagnosis and
planned_procedure fact modules: sides, checkbox answers, section labels, ents and
their SPEC assertion, and the pydantic shape of a target rule in a rules file.

Everything here works on the note's NLP text (`doc.text`); evidence is built by the
callers through `NoteContext`, never here.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from extractor.nlp.assertion import assertion_of  # noqa: F401  (the fact modules' name for it)
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import (
    TargetRuleSpec,  # noqa: F401  (re-exported for the rules models)
    doc_text,  # re-exported for the fact modules
    once_per_doc,
)
from extractor.text.regex_words import lacks_all, lowered_for_words, needed_words

if TYPE_CHECKING:
    from spacy.tokens import Doc


class Vocab(BaseModel):
    """A normalized value and the regexes (case-insensitive) that name it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    patterns: list[str] = Field(min_length=1)
    unless: str | None = Field(default=None, description="regex: no hit when the searched text holds it")
    comment: str | None = None

    def regex(self) -> re.Pattern[str]:
        return _compile("|".join(f"(?:{p})" for p in self.patterns))


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def vocab_matches(vocab: Iterable[Vocab], text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, value) of every vocabulary hit in text[lo:hi], longest first, without overlaps
    (an entry whose `unless` regex occurs in text[lo:hi] finds nothing there)."""
    hi = len(text) if hi is None else hi
    # most sentences name nothing of a vocabulary: substring tests rule its entries out before any regex
    lowered = lowered_for_words(text[lo:hi])
    hits = [(m.start(), m.end(), v.value) for v, regex, unless, words in _compiled_vocab(vocab)
            if not lacks_all(lowered, words) and not (unless and unless.search(text, lo, hi))
            for m in regex.finditer(text, lo, hi)]
    return longest_without_overlaps(hits)


def longest_without_overlaps(hits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The hits, longest first (the earlier of equal ones), each kept unless it overlaps a kept one; in text order."""
    hits = sorted(hits, key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, str]] = []
    for h in sorted(hits, key=lambda h: -(h[1] - h[0])):
        if all(h[1] <= k[0] or h[0] >= k[1] for k in kept):
            kept.append(h)
    return sorted(kept)


#: vocabulary (by the ids of its entries, which it holds alive) -> its compiled entries
_VOCAB_CACHE: dict[tuple[int, ...], tuple[tuple, list]] = {}
_Entry = tuple[Vocab, re.Pattern[str], re.Pattern[str] | None, tuple[str, ...] | None]


def _compiled_vocab(vocab: Iterable[Vocab]) -> list[_Entry]:
    """(entry, its regex, its `unless` regex, words one of which its every match holds) per entry."""
    vocab = tuple(vocab)
    key = tuple(map(id, vocab))
    cached = _VOCAB_CACHE.get(key)
    if cached is None:
        entries = [(v, v.regex(), _compile(v.unless) if v.unless else None,
                    needed_words((p, re.IGNORECASE) for p in v.patterns)) for v in vocab]
        cached = _VOCAB_CACHE[key] = (vocab, entries)
    return cached[1]


# ---- sides -----------------------------------------------------------------------------

_SIDE = re.compile(
    r"(?i:\b(?P<bilateral>bilateral(?:ly)?|bilat\.?|b/l|both)\b)"
    r"|(?i:\b(?P<left>left(?:-sided)?|lt)\b(?!-?\s*(?:handed|hand\b)))"
    r"|(?i:\b(?P<right>right(?:-sided)?|rt)\b(?!-?\s*(?:handed|hand\b))"
    r"(?!\s+(?:over|at|on\s+top|into|above|below|here|there|where|now|away|after|before|around|behind|"
    r"next\s+to|along|under|through|when|then|in\s+the\s+(?:middle|center|centre))\b))"  # "right over the PSIS": adverb
    r"|(?<![\w-])(?P<l>L)(?![\w-]|\s*\d|/)"
    r"|(?<![\w-])(?P<r>R)(?![\w-]|\s*\d|/)"
)


def sides_in(text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, str]]:
    """(start, end, side) of each side word in text[lo:hi] ("L"/"R" only as capital single letters)."""
    hi = len(text) if hi is None else hi
    found = []
    for m in _SIDE.finditer(text, lo, hi):
        kind = m.lastgroup or ""
        side = {"l": "left", "r": "right"}.get(kind, kind)
        found.append((m.start(), m.end(), side))
    return found


def combine_sides(sides: Iterable[str | None]) -> str | None:
    """One side for several statements: left + right -> bilateral."""
    seen = {s for s in sides if s}
    if not seen:
        return None
    if "bilateral" in seen or {"left", "right"} <= seen:
        return "bilateral"
    return seen.pop()


# ---- checkboxes --------------------------------------------------------------------------

CHECKED = r"\[\s*[xX\u2713\u2714]\s*\]|[\u2611\u2612]"
UNCHECKED = r"\[\s*\]|\u2610"
_ANSWER = re.compile(rf"(?:{CHECKED})\s*(?P<word>yes|no|y|n)\b", re.IGNORECASE)


def checkbox_answer(text: str) -> bool | None:
    """True for '[x] yes', False for '[x] no' ("[ ] yes [x] no"), None when no answer box is ticked."""
    m = _ANSWER.search(text)
    if not m:
        return None
    return m.group("word").lower() in ("yes", "y")


def unchecked_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of the items that follow an unchecked box in text[lo:hi] (up to the next box)."""
    boxes = list(re.finditer(rf"(?:{CHECKED})|(?:{UNCHECKED})", text[lo:hi]))
    spans = []
    for i, b in enumerate(boxes):
        if re.fullmatch(UNCHECKED, b.group(0)):
            end = boxes[i + 1].start() if i + 1 < len(boxes) else hi - lo
            spans.append((lo + b.end(), lo + end))
    return spans


# ---- lines, labels and sections ----------------------------------------------------------

_LABEL = re.compile(r"^[ \t]*(?P<label>[A-Za-z][A-Za-z /&.'()-]{0,40}?)\s*:", re.MULTILINE)
_SECTION_OF_LABEL = [
    (re.compile(r"^(?:o|objective|exam(?!\s+date)|physical exam(?:ination)?|pe|palpation|provocation|neuro)\b", re.IGNORECASE),
     "physical_exam"),
    (re.compile(r"^(?:p|plan|a/p|assessment and plan|recommendations?|disposition)\b", re.IGNORECASE), "plan"),
    (re.compile(r"^(?:a|assessment|imp|impression|diagnos[ei]s|dx|problem list)\b", re.IGNORECASE), "assessment"),
    (re.compile(r"^(?:findings)\b", re.IGNORECASE), "findings"),
    (re.compile(r"^(?:pmh|past medical history|past history)\b", re.IGNORECASE), "past_medical_history"),
    (re.compile(r"^(?:fh|family history)\b", re.IGNORECASE), "family_history"),
    (re.compile(r"^(?:sh|social(?: history)?)\b", re.IGNORECASE), "social_history"),
    (re.compile(r"^(?:procedure|technique|pain scores|result)\b", re.IGNORECASE), "procedure"),
]


def line_bounds(text: str, offset: int) -> tuple[int, int]:
    """[start, end) of the line holding `offset`."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def label_section(text: str, offset: int) -> str | None:
    """Section named by the nearest 'Label:' at a line start before `offset` (our fallback sectionizer).

    That is the last label whose colon is at or before `offset` (`_LABEL` matches at most once per
    line, up to its first colon), found by bisection in the labels of the text, listed once per text:
    scanning the text from its start for every mention was quadratic in a note's length.
    """
    ends, sections = _labels(text)
    i = bisect_right(ends, offset + 1) - 1
    return sections[i] if i >= 0 else None


@lru_cache(maxsize=1)  # the note being read: every module asks for its labels
def _labels(text: str) -> tuple[list[int], list[str | None]]:
    ends, sections = [], []
    for m in _LABEL.finditer(text):
        label = m.group("label").strip()
        ends.append(m.end())
        sections.append(next((section for pattern, section in _SECTION_OF_LABEL if pattern.match(label)), None))
    return ends, sections


def section_at(doc: Doc, offset: int) -> str | None:
    """medspaCy section category at `offset`, else the one our label fallback finds."""
    found = doc_section(doc, offset)
    if found and found != "other":
        return found
    return label_section(doc_text(doc), offset)


# ---- ents and assertions -----------------------------------------------------------------

def sentence_bounds(doc: Doc, offset: int) -> tuple[int, int]:
    """[start, end) of the sentence holding `offset` (a line when no sentences are set)."""
    span = doc.char_span(offset, min(offset + 1, len(doc_text(doc))), alignment_mode="expand")
    if span is not None and len(span) and doc.has_annotation("SENT_START"):
        sent = span[0].sent
        return sent.start_char, sent.end_char
    return line_bounds(doc_text(doc), offset)


def sentences(doc: Doc) -> list[tuple[int, int]]:
    """[start, end) of every sentence of the doc (lines when no sentences are set), listed once per doc
    (three fact modules read them; spaCy walks every token for `doc.sents`). A new list each call."""
    return list(once_per_doc(doc, _SENTENCES_KEY, _sentences))


_SENTENCES_KEY = "chartsift.sentences"


def _sentences(doc: Doc) -> tuple[tuple[int, int], ...]:
    if doc.has_annotation("SENT_START"):
        return tuple((s.start_char, s.end_char) for s in doc.sents)
    out, pos = [], 0
    for line in doc_text(doc).split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return tuple(out)


#: which of two statements of one key a fact keeps: the most certain assertion first
_ASSERTION_RANK = {"present": 0, "negated": 1, "possible": 2, "historical": 3, "hypothetical": 4, "family": 5}


def keep_first_present(facts: dict, key: tuple, fact) -> None:
    """One fact per key: the first statement of the most certain assertion wins, later ones add evidence."""
    old = facts.get(key)
    if old is None:
        facts[key] = fact
        return
    keep, other = (old, fact) if _ASSERTION_RANK[old.assertion] <= _ASSERTION_RANK[fact.assertion] else (fact, old)
    evidence = keep.evidence + [e for e in other.evidence if e not in keep.evidence]
    facts[key] = keep.model_copy(update={"evidence": evidence})
