"""Words of a PDF page and their reading order: lines top to bottom, words left to right, columns
one after the other when a page's drawing order is scrambled, duplicate glyphs (bold drawn twice)
dropped. Used by both PDF backends of `extractor.ingest.pdftext`."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Word:
    text: str
    boxes: np.ndarray  # (len(text), 4) float32: x0, top, x1, bottom per character
    x0: float = field(init=False)
    top: float = field(init=False)
    x1: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        lo = np.nanmin(self.boxes, axis=0) if len(self.boxes) else np.zeros(4)
        hi = np.nanmax(self.boxes, axis=0) if len(self.boxes) else np.zeros(4)
        self.x0, self.top, self.x1, self.bottom = float(lo[0]), float(lo[1]), float(hi[2]), float(hi[3])

    @classmethod
    def with_extent(cls, text: str, boxes: np.ndarray, x0: float, top: float, x1: float, bottom: float) -> Word:
        """A word whose extent (what `__post_init__` computes) the caller computed for many words at once."""
        word = cls.__new__(cls)
        word.text, word.boxes, word.x0, word.top, word.x1, word.bottom = text, boxes, x0, top, x1, bottom
        return word


def same_line(line_top: float, line_bottom: float, last_x1: float, top: float, bottom: float, x0: float) -> bool:
    """The word continues the current line: it overlaps it vertically and lies to its right."""
    overlap = min(line_bottom, bottom) - max(line_top, top)
    height = min(line_bottom - line_top, bottom - top)
    return overlap > 0.5 * max(height, 0.1) and x0 >= last_x1 - 2.0


def reading_order(words: list[Word]) -> list[Word]:
    """The content-stream order, unless it is scrambled (text drawn bottom-up, or lines of one
    column drawn in several passes): then top-to-bottom lines, each left to right."""
    if not _scrambled(words):
        return words
    ordered = sorted(words, key=lambda w: (w.top, w.x0))
    lines: list[list[Word]] = []
    for word in ordered:
        if lines and abs(_middle(word) - _middle(lines[-1][0])) < 0.5 * (word.bottom - word.top):
            lines[-1].append(word)
        else:
            lines.append([word])
    return [word for line in lines for word in sorted(line, key=lambda w: w.x0)]


def _scrambled(words: list[Word]) -> bool:
    """Many jumps back up the page, or a jump that lands between two lines already read just above
    and below it in the same column (a new column lands beside them, a header drawn last above)."""
    lines: list[list[float]] = []  # x0, top, x1, bottom of each line read so far
    jumps = 0
    prev = None
    for word in words:
        x0, top, x1, bottom = word.x0, word.top, word.x1, word.bottom
        if prev is not None:
            line = lines[-1]
            line_top, line_bottom = line[1], line[3]
            # `same_line(line_top, line_bottom, prev.x1, top, bottom, x0)` written out, as in `layout`
            low, high = bottom if bottom < line_bottom else line_bottom, top if top > line_top else line_top
            tall, own = line_bottom - line_top, bottom - top
            shorter = own if own < tall else tall
            if low - high > 0.5 * (0.1 if 0.1 > shorter else shorter) and x0 >= prev.x1 - 2.0:
                line[0], line[1] = x0 if x0 < line[0] else line[0], top if top < line_top else line_top
                line[2], line[3] = x1 if x1 > line[2] else line[2], bottom if bottom > line_bottom else line_bottom
                prev = word
                continue
            if bottom < prev.top:
                jumps += 1
                if _lands_between(word, lines):
                    return True
        lines.append([x0, top, x1, bottom])
        prev = word
    return jumps > max(5, 0.2 * len(lines))


def _lands_between(word: Word, lines: list[list[float]]) -> bool:
    height = word.bottom - word.top
    column = [line for line in lines if line[0] < word.x1 and line[2] > word.x0]
    above = any(-0.3 * height <= word.top - line[3] < 2 * height for line in column)
    below = any(-0.3 * height <= line[1] - word.bottom < 2 * height for line in column)
    return above and below


def _middle(word: Word) -> float:
    return (word.top + word.bottom) / 2


def dedupe(words: list[Word]) -> list[Word]:
    """Drop a word drawn again at the same place (fake bold by overprinting): within 1 pt of a kept copy.

    Kept copies are filed by text and 1-pt grid cell, so each word is compared only with the copies in
    the 3 x 3 cells around it (a page of one word drawn 10,000 times is linear, not 50 million checks)."""
    seen: dict[str, dict[tuple[int, int], list[tuple[float, float]]]] = {}  # text -> grid cell -> spots
    kept = []
    for word in words:
        x0, top = word.x0, word.top
        if not (math.isfinite(x0) and math.isfinite(top)):
            kept.append(word)
            continue
        cx, cy = math.floor(x0), math.floor(top)
        cells = seen.setdefault(word.text, {})
        if cells and _drawn_near(cells, cx, cy, x0, top):
            continue
        cells.setdefault((cx, cy), []).append((x0, top))
        kept.append(word)
    return kept


def _drawn_near(cells: dict[tuple[int, int], list[tuple[float, float]]], cx: int, cy: int, x0: float,
                top: float) -> bool:
    """A kept copy in the 3 x 3 grid cells around (cx, cy) lies within 1 pt of (x0, top)."""
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for x, t in cells.get((cx + dx, cy + dy), ()):
                if abs(x0 - x) < 1.0 and abs(top - t) < 1.0:
                    return True
    return False
