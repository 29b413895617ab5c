"""An ingested document: its text (pages joined by form feeds), where each page starts, a char -> box
map for PDFs, the pages no reading could use, and what OCR did to it."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from models import Document


@dataclass
class OcrResult:
    """What OCR did to one document: pages read, their mean confidence, pages it could not read."""

    pages: list[int] = field(default_factory=list)  # 1-based pages whose text is OCR's
    confidence: dict[int, float] = field(default_factory=dict)  # page -> mean word confidence 0-100
    failed: list[int] = field(default_factory=list)  # pages OCR tried and could not read
    char_confidence: np.ndarray | None = field(default=None, repr=False)  # per char of text; NaN = text layer



_UNSEEN = object()


@dataclass
class IngestedDocument:
    name: str
    sha256: str
    media_type: Literal["pdf", "text"]
    text: str  # pages joined by "\f"
    page_starts: list[int]  # offset in text where each page begins (text notes: [0])
    unreadable_pages: list[int] = field(default_factory=list)  # 1-based
    char_boxes: np.ndarray | None = field(default=None, repr=False)  # (len(text), 4) float32, PDF only
    page_sizes: list[tuple[float, float]] = field(default_factory=list, repr=False)
    ocr: OcrResult | None = field(default=None, repr=False)  # pages read by OCR (extractor.ingest.ocr)
    _bboxes: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # (start, end) -> bbox: bbox()

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_of(self, offset: int) -> int | None:
        """1-based page holding `offset` (an offset at the very end belongs to the last page)."""
        if not self.page_starts or offset < 0 or offset > len(self.text):
            return None
        return bisect_right(self.page_starts, offset)

    def bbox(self, start: int, end: int) -> list[float] | None:
        """[x0, top, x1, bottom] in PDF points: the union of the character boxes of [start, end)
        that lie on the page of `start`; None for text notes or a span without boxed chars."""
        if self.char_boxes is None or end <= start:
            return None
        page = self.page_of(start)
        if page is None:
            return None
        page_end = self.page_starts[page] if page < len(self.page_starts) else len(self.text)
        key = (max(start, 0), min(end, page_end))
        found = self._bboxes.get(key, _UNSEEN)
        if found is _UNSEEN:  # facts of one sentence quote the same span: compute each span once
            rows = self.char_boxes[key[0]:key[1]]
            rows = rows[~np.isnan(rows[:, 0])]
            if len(rows):
                low, high = rows[:, :2].min(axis=0), rows[:, 2:].max(axis=0)
                found = [round(float(v), 2) for v in (low[0], low[1], high[0], high[1])]
            else:
                found = None
            self._bboxes[key] = found
        return None if found is None else list(found)

    def to_model(self) -> Document:
        return Document(name=self.name, sha256=self.sha256, media_type=self.media_type, text=self.text,
                        page_starts=list(self.page_starts), unreadable_pages=list(self.unreadable_pages),
                        ocr_pages=list(self.ocr.pages) if self.ocr else [])
