"""Documents as the extractor sees them, and as the review result reports them."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .base import Strict
from .errors import DocumentError

NoteKind = Literal["office_visit", "procedure", "imaging", "therapy", "other"]


class Note(Strict):
    """One note of a packet: [start, end) in the document text, with its date of service."""

    start: int
    end: int
    date_of_service: dt.date | None = None
    kind: NoteKind = "other"
    title: str | None = None


class Document(Strict):
    """An ingested document: text of all pages joined by form feeds, with provenance."""

    name: str
    sha256: str
    media_type: Literal["pdf", "text"]
    text: str
    page_starts: list[int] = Field(description="offset in `text` where each page begins")
    unreadable_pages: list[int] = Field(default_factory=list, description="1-based pages without usable text")
    ocr_pages: list[int] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_of(self, offset: int) -> int:
        """1-based page holding character `offset`."""
        lo, hi = 0, len(self.page_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.page_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1


class DocumentSummary(Strict):
    """What the review JSON says of each document (SPEC section 3)."""

    name: str
    pages: int
    ocr_pages: list[int] = Field(default_factory=list)
    ocr_confidence: dict[int, float] = Field(default_factory=dict,
                                             description="OCR'd page -> mean OCR word confidence (0-100)")
    unreadable_pages: list[int] = Field(default_factory=list)
    sha256: str | None = None
    notes: list[Note] = Field(default_factory=list)
    error: DocumentError | None = None
