"""Injection logs laid out as tables: find the header, cut each dated row into named cells.

Two layouts: columns separated by tabs, pipes or 2+ spaces (a text note), and the same table
after a PDF text layer has collapsed most gaps to one space ("05-Jan-2026 R diagnostic
bupivacaine 0.5% 2 mL\tyes yes\t8 1"). For the latter a row is read from both ends: the date
and side from the left, numbers (pre/post/relief) and yes/no flags (IA, contrast) from the
right in header order, and what remains is the injectate. Used by `extractor.facts.injection.mentions`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.text.cells import cells_of
from extractor.text.temporal import find_dates

NUMERIC = ("pre", "post", "relief")
FLAGS = ("intra_articular", "contrast")


@dataclass(frozen=True)
class LogRow:
    start: int  # offsets of the row in the text
    end: int
    cells: dict[str, str]  # column name (spec.columns key, or "date") -> cell text


def log_rows(text: str, spec, anchor) -> tuple[int, list[LogRow]]:
    """(offset of the header, rows) of the first injection-log table in `text`; (-1, []) if none."""
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text)]
    for k, (start, line) in enumerate(lines):
        header = _header(line, spec)
        if header is None:
            continue
        names = [_column(h, spec) for h in header]
        rows = [r for row_start, row in lines[k + 1:] if (r := _row(row_start, row, names, anchor, spec))]
        if rows:
            return start, rows
    return -1, []


def _header(line: str, spec) -> list[str] | None:
    for header in ([c.lower() for c in cells_of(line)], line.lower().split()):
        if len(header) >= 3 and re.match(spec.date_header, header[0], re.IGNORECASE) and all(
                re.match(spec.date_header, h, re.IGNORECASE) or re.match(spec.other_headers, h, re.IGNORECASE)
                or any(re.match(rx, h, re.IGNORECASE) for rx in spec.columns.values())
                for h in header):  # the first cell first: most lines of a note are no log header
            return header
    return None


def _column(header: str, spec) -> str | None:
    if re.match(spec.date_header, header, re.IGNORECASE):
        return "date"
    return next((name for name, rx in spec.columns.items() if re.match(rx, header, re.IGNORECASE)), None)


def _row(start: int, row: str, names: list[str | None], anchor, spec) -> LogRow | None:
    dates = find_dates(row, anchor)
    if not dates or dates[0].start != len(row) - len(row.lstrip(" \t|")):  # "| 12/09/2025 | ..." too
        return None
    cells = cells_of(row)
    if len(cells) == len(names):  # a column of no known name still holds words to read ("Comment": "IA; lidocaine")
        named = {n or f"column {k}": c for k, (n, c) in enumerate(zip(names, cells))}
    else:
        named = _loose(row[dates[0].end:], names, spec)
        named["date"] = row[:dates[0].end].strip(" \t|")
    return LogRow(start, start + len(row.rstrip()), named)


def _loose(rest: str, names: list[str | None], spec) -> dict[str, str]:
    """Cells of a row whose column gaps are gone: numbers and flags from the right, side from the left."""
    out: dict[str, str] = {}
    tokens = re.sub(r"\([^)]*\)\s*$", "", rest).split()
    for name in reversed([n for n in names if n in NUMERIC]):
        if tokens and re.fullmatch(r"\d{1,3}(?:\.\d+)?%?", tokens[-1]):
            out[name] = tokens.pop()
    for name in reversed([n for n in names if n in FLAGS]):
        if tokens and (re.match(spec.yes, tokens[-1], re.IGNORECASE) or re.match(spec.no, tokens[-1], re.IGNORECASE)):
            out[name] = tokens.pop()
    if "side" in names and tokens and re.fullmatch(r"(?:R|L|B|B/L|right|left|bilat\w*)", tokens[0], re.IGNORECASE):
        out["side"] = tokens.pop(0)
    middle = " ".join(tokens)
    if "purpose" in names:
        out["purpose"] = middle
    out["drugs"] = middle
    return out
