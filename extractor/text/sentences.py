"""Rule-based sentence splitting for templated and bulleted clinical text.

Chart notes are half prose, half template: checkbox lines, "FABER: (+)" rows, tables, section
headers, numbered lists. Each line of a template is its own statement, so a line break starts
a sentence unless the line break is a soft wrap inside prose (the previous line does not end a
statement and the next one continues it in lower case). Inside a line, a sentence ends at
. ! ? followed by space and a capital or digit, unless the period belongs to a known
abbreviation ("Dr.", "e.g.", "approx."). Tokens are then marked at those character offsets.

Chosen over PyRuSH by measurement (benchmarks/sentences.py): same or better boundary accuracy on
templated text at a fraction of its cost. The abbreviation list lives in
`extractor/rules/sections.json` under "sentence_abbreviations" (data, not code).
"""
from __future__ import annotations

import bisect
import json
import re
from functools import lru_cache

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from extractor.rules.loader import rules_text

# A line that starts a new statement: bullet, checkbox, numbered item, table row, "Label:" row.
_LINE_START = re.compile(
    r"""^[ \t]*(?:
        [-*\u2022\u25cf\u25aa\u2023\u2043>]\s          # bullets
      | \[[ xX\u2713\u2714]?\]                          # checkboxes [x] [ ]
      | \(\s*[+\-\u2212]\s*\)                          # sign-led template items "(+) FABER R"
      | [\u2610\u2611\u2612]                            # ballot boxes
      | \(?\d{1,2}[.)]\s                                # 1. 1) (1)
      | \(?[a-zA-Z][.)]\s                               # a. b)
      | \|                                              # table row
      | [A-Z][A-Za-z0-9'/ &().,-]{0,40}:                # "Label:" / "FABER:" / "HPI:"
      | [A-Z0-9][A-Z0-9 '/&-]{2,}\b                     # ALL-CAPS header or table header
    )""",
    re.VERBOSE,
)
# The end of a line that closes a statement.
_LINE_END = re.compile(r"[.!?:;|\]\)]\s*$|[\u2610\u2611\u2612]\s*$")
_SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*[ \t]+(?=[\"'(\[]?[A-Z0-9])")
# Flattened templates: two or more spaces before a "Label:" mark where a line break was.
_LABEL_AFTER_GAP = re.compile(r"(?<=\S)[ \t]{2,}(?=[A-Z][A-Za-z0-9'/&()-]*(?: [A-Za-z0-9'/&()-]+){0,4}:(?:\s|$))")
_LIST_NUMBER = re.compile(r"^[ \t]*\(?(?:\d{1,2}|[a-zA-Z])[.)]$")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_BLANK = re.compile(r"\n[ \t]*\n")
# Wide gaps inside a line separate table cells laid out with spaces ("FABER    +    -").
_CELL_GAP = re.compile(r"\S(?:\t| {3,})(?=\S)")


def _abbreviations() -> frozenset[str]:

    data = json.loads(rules_text("sections"))
    return frozenset(a.lower().rstrip(".") for a in data.get("sentence_abbreviations", []))


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    return _abbreviations()


def sentence_starts(text: str) -> list[int]:
    """Character offsets where sentences start (the first is always 0 for non-empty text)."""
    starts: set[int] = {0} if text else set()
    lines = _lines(text)
    prev_line = ""
    for start, line in lines:
        if not line.strip():
            prev_line = ""
            continue
        if start and _new_statement(prev_line, line):
            starts.add(start + len(line) - len(line.lstrip()))
        starts.update(start + off for off in _inline_starts(line))
        prev_line = line
    return sorted(starts)


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, line.rstrip("\r\n\f")))
        pos += len(line)
    return out


def _new_statement(prev_line: str, line: str) -> bool:
    """Does `line` start a new sentence, given the line before it ("" after a blank line)?"""
    if not prev_line.strip():
        return True
    if _LINE_START.match(line) or _LINE_START.match(prev_line):
        return True
    if _CELL_GAP.search(line.strip()) or _CELL_GAP.search(prev_line.strip()):
        return True  # rows of a table laid out with spaces
    if _LINE_END.search(prev_line):
        return True
    stripped = line.lstrip()
    # Prose wrapped mid-sentence continues in lower case; a short previous line is a label/row.
    return not stripped[:1].islower() and len(prev_line.strip()) < 50


def _inline_starts(line: str) -> list[int]:
    out = []
    abbrevs = abbreviations()
    for m in _SENT_END.finditer(line):
        head = line[: m.start()].rstrip("\"')]")
        if _LIST_NUMBER.match(head):
            continue  # "1. Left SI joint dysfunction": the number of a list item, not a sentence end
        if head.endswith("...."):
            continue  # the dot leader of a template row ("FABER ...... POSITIVE"), not a sentence end
        before = _WORD_BEFORE.search(head)
        if before and before.group(1).lower().rstrip(".") in abbrevs:
            continue
        if before and len(before.group(1).rstrip(".")) == 1 and before.group(1).isupper() \
                and before.group(1)[0] not in "LR":
            continue  # an initial ("J. Smith"); a side letter ends its sentence ("positive L. FABER ...")
        out.append(m.end())
    out += [m.end() for m in _LABEL_AFTER_GAP.finditer(line)]
    return sorted(set(out))


@Language.component("chartsift_sentences")
def chartsift_sentences(doc: Doc) -> Doc:
    """Mark sentence starts from `sentence_starts`: the first non-space token at or after each offset."""
    token_starts = [t.idx for t in doc]
    marked = set()
    for offset in sentence_starts(doc.text):
        i = bisect.bisect_left(token_starts, offset)
        if i > 0 and token_starts[i - 1] + len(doc[i - 1]) > offset and not doc[i - 1].is_space:
            i -= 1  # the offset falls inside a token: that token starts the sentence
        while i < len(doc) and doc[i].is_space:
            i += 1
        if i < len(doc):
            marked.add(i)
    # One array for the whole doc: spaCy's `token.is_sent_start = ...` scans every token of the doc
    # for a parse on each call (quadratic: minutes on a 150,000-token note). 1 starts, -1 does not.
    flags = numpy.full((len(doc), 1), -1, dtype="int64")
    flags[sorted(marked | {0}) if len(doc) else [], 0] = 1
    doc.from_array([SENT_START], flags.astype("uint64"))
    return doc
