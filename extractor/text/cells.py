"""Cells of a plain-text table row: split by pipes, tabs or runs of 2+ spaces (one splitter for
the note segmenter's table rows and the injection-log reader)."""
from __future__ import annotations

import re

_CELL_SPLIT = re.compile(r"\t+|\s*\|\s*|\s{2,}")


def cells_of(line: str) -> list[str]:
    """The cells of a row; in a pipe table an empty cell stays ("| Fluoro |  | 80%": contrast left blank)."""
    inner = line.strip().strip("|")
    if inner.count("|") >= 2:
        return [c.strip() for c in inner.split("|")]
    return [c for c in _CELL_SPLIT.split(inner) if c]
