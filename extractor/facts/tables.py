"""Plain-text tables in notes: rows of cells split by '|', tabs or runs of 3+ spaces.

Exam templates put tests in tables ("Test | Left | Right" then "FABER | + | -"). `table_cells`
finds the row a mention starts and the header above it, and returns the row's cells under the
headers that name a side. Fact modules read their value out of each cell.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from extractor.rules.loader import load_rules

_SPACES = re.compile(r"\t+| {3,}")
HEADER_LOOKBACK_LINES = 12


class TableRules(BaseModel):
    """extractor/rules/tables.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    side_headers: dict[str, list[str]]


@lru_cache(maxsize=1)
def side_headers() -> dict[str, list[str]]:
    """Header words of a side column, by side ("left": ["left", "l", "lt", ...])."""
    return load_rules("tables", TableRules).side_headers


def split_cells(line: str) -> list[str]:
    """Cells of a table line, outer empty cells dropped ('| a | b |' -> ['a', 'b'])."""
    if "|" in line:
        cells = [c.strip() for c in line.split("|")]
    else:
        cells = [c.strip() for c in _SPACES.split(line.strip())]
    while cells and not cells[0]:
        cells.pop(0)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _line_at(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _header_sides(cells: list[str], side_headers: dict[str, list[str]]) -> dict[int, str]:
    out = {}
    for i, cell in enumerate(cells):
        word = cell.lower().strip(" :.")
        for side, names in side_headers.items():
            if word in names:
                out[i] = side
    return out


def table_cells(text: str, offset: int, headers: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    """(side, cell text) of the table row whose first cell holds `offset`; [] when not a table row.
    `headers`: the side-column words (default: extractor/rules/tables.json)."""
    headers = headers if headers is not None else side_headers()
    start, end = _line_at(text, offset)
    pair = slash_pair(text, offset)
    if pair is not None:
        return pair
    row = split_cells(text[start:end])
    if len(row) < 2 or offset - start > len(text[start:end]) - len(text[start:end].lstrip(" |\t")) + len(row[0]):
        return []
    pos = start - 1
    for _ in range(HEADER_LOOKBACK_LINES):
        if pos <= 0:
            break
        h_start, h_end = _line_at(text, pos - 1 if text[pos] == "\n" else pos)
        header = split_cells(text[h_start:h_end])
        sides = _header_sides(header, headers)
        piped = "|" in text[start:end]
        if not piped and len(sides) >= 2 and 0 in sides:
            # the header leaves the label column blank ("            Left   Right"): cells go by column
            return _by_column(text, start, end, h_start, header, sides)
        # a row may leave its last cells empty ("SIJ | + |"): fewer cells than the header, when pipes delimit them
        if len(sides) >= 1 and (len(header) == len(row) or (piped and 1 < len(row) < len(header))):
            return [(side, row[i]) for i, side in sorted(sides.items()) if i < len(row)]
        if not piped and len(sides) >= 2:
            # a row with a blank cell or a label run into its first value ("Lumbar paraspinal (-)   (-)")
            return _by_column(text, start, end, h_start, header, sides)
        pos = h_start - 1
    return []


_TOKEN = re.compile(r"\S+")
PAIR_VALUE = _VALUE = r"(?:\(\s*[+-]\s*\)|[+-]|pos(?:itive)?|neg(?:ative)?|non-?tender|tender|yes|no|Y|N)"
#: a row ending in two results split by a slash: "Thigh thrust ........ + / -", "FABER     (+) / (+)"
_PAIR = re.compile(rf"(?<![\w/])(?P<a>{_VALUE})\s*/\s*(?P<b>{_VALUE})[ \t.]*$", re.IGNORECASE)
#: a caption giving the order of the sides of such rows: "Exam (R / L):", "Objective (L/R):", "R / L"
_ORDER = re.compile(r"(?<![\w/])(?P<x>R|L|rt|lt|right|left)\s*/\s*(?P<y>R|L|rt|lt|right|left)(?![\w/])", re.IGNORECASE)
_SIDE_WORD = {"r": "right", "rt": "right", "right": "right", "l": "left", "lt": "left", "left": "left"}


def slash_pair(text: str, offset: int) -> list[tuple[str, str]] | None:
    """(side, value) twice for a row whose label holds `offset` and that ends in "a / b" results,
    under a caption (a line above, no blank line between) that gives the side order ("Exam (R / L):").
    None when the row or the caption is missing."""
    start, end = _line_at(text, offset)
    m = _PAIR.search(text, offset, end)
    if m is None or not text[start:m.start()].strip(" \t.:"):
        return None
    pos = start - 1
    for _ in range(HEADER_LOOKBACK_LINES):
        if pos <= 0:
            return None
        h_start, h_end = _line_at(text, pos)
        line = text[h_start:h_end]
        if not line.strip():
            return None
        order = _ORDER.search(line)
        if order and not _PAIR.search(line):
            x, y = _SIDE_WORD[order.group("x").lower()], _SIDE_WORD[order.group("y").lower()]
            if x == y:
                return None
            return [(x, m.group("a")), (y, m.group("b"))]
        pos = h_start - 1
    return None


def _by_column(text: str, start: int, end: int, h_start: int, header: list[str], sides: dict[int, str]) -> list[tuple[str, str]]:
    """(side, cell) of a whitespace table row read by column: the words of the row under each side
    header (a side column's words overlap its header word, give or take two characters); a side
    column left blank gives no cell ("L-spine     (-)" under "Left   Right" is the left cell only)."""
    h_end = text.find("\n", h_start)
    h_line = text[h_start:len(text) if h_end < 0 else h_end]
    cols, pos = [], 0
    for i, cell in enumerate(header):
        at = h_line.find(cell, pos)
        pos = at + len(cell)
        if i in sides:
            cols.append((at - 2, pos + 2, sides[i]))
    label_end = min(a for a, _, _ in cols)
    line = text[start:end]
    out = []
    for a, b, side in cols:
        words = [m.group() for m in _TOKEN.finditer(line) if m.start() < b and m.end() > a and m.start() >= label_end - 2]
        if words:
            out.append((side, " ".join(words)))
    return out


def one_bilateral(read: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(side, value) per side column, with a left and a right that read the same as one bilateral
    finding (corpora/CONVENTIONS_2026-12.md C6)."""
    if len(read) == 2 and read[0][1] == read[1][1] and {side for side, _ in read} == {"left", "right"}:
        return [("bilateral", read[0][1])]
    return read


def block_caption(text: str, offset: int) -> str | None:
    """The caption above the table whose row holds `offset` ("EXAM (left side)" over
    "Site / test | Result" over "FABER | +"): the line above the table's header row, when the
    row's first cell holds `offset` and a header with as many cells sits above it without a
    blank line between."""
    start, end = _line_at(text, offset)
    row = split_cells(text[start:end])
    if len(row) < 2 or row[0] not in text[start:offset + len(row[0])]:
        return None
    pos = start - 1
    for _ in range(HEADER_LOOKBACK_LINES):
        if pos <= 0:
            return None
        h_start, h_end = _line_at(text, pos - 1 if text[pos] == "\n" else pos)
        line = text[h_start:h_end]
        if not line.strip():
            return None
        if len(split_cells(line)) == len(row) and not any(ch in line for ch in "+-") and h_start > 0:
            c_start, c_end = _line_at(text, h_start - 2 if h_start >= 2 else 0)
            caption = text[c_start:c_end]
            return caption if caption.strip() and c_start < h_start else None
        pos = h_start - 1
    return None


def inline_caption(text: str, offset: int, max_chars: int = 45) -> tuple[int, int] | None:
    """[start, end) of the label that opens the row holding `offset` on the same line, before its last ':'
    ("Provocation (L):  Thigh thrust (+)  Compression (+)" -> "Provocation (L)"); only the words
    since the line's previous ':' (or its start), and only a short label (a heading, not prose)."""
    start, _ = _line_at(text, offset)
    colon = text.rfind(":", start, offset)
    if colon < 0:
        return None
    lo = max(text.rfind(":", start, colon) + 1, start)
    while lo < colon and text[lo].isspace():
        lo += 1
    hi = colon
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return (lo, hi) if 0 < hi - lo <= max_chars else None


def list_caption(text: str, offset: int) -> str | None:
    """The caption line of the list whose row holds `offset`: the nearest line above that ends
    with ':' ("Provocative testing (R):" over "Thigh thrust ..... positive"), with no blank line
    between; None when the row's own line already has a ':' before `offset` (an inline label)."""
    start, _ = _line_at(text, offset)
    if ":" in text[start:offset]:
        return None
    pos = start - 1
    for _ in range(HEADER_LOOKBACK_LINES):
        if pos <= 0:
            return None
        h_start, h_end = _line_at(text, pos)  # text[pos] is the newline that ends the line above
        line = text[h_start:h_end].strip()
        if not line:
            return None
        if line.endswith(":") or _SIDE_COLUMN.search(line):
            return line
        pos = h_start - 1
    return None


#: a column header over rows that gives the one side they report, without a colon:
#: "Provocation   Result (R)", "Test / Finding (left side)", "Maneuver    Right side"
_SIDE_COLUMN = re.compile(r"^(?=.{0,50}$)[A-Za-z /]{0,30}\b(?:results?|findings?|response|provocation|maneuvers?|tests?)\b[ \t/]*"
                          r"(?:\((?:R|L|right|left|rt|lt)(?:\s+side)?\)|(?:right|left)\s+side)$", re.IGNORECASE)
