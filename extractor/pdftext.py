"""Text and character boxes of PDF pages, from pdfplumber or pypdfium2, in reading order.

Both backends hand the same thing to one layout step: the page's words in content-stream
order ("text flow"), each with one box per character. Following the content stream keeps
the columns of a two-column page apart (sorting by position, as pdfplumber's default
`extract_text` does, interleaves them line by line) and reads tables row by row. The layout
step then builds the page text itself, so every character of the text has its box: words
on one line are joined by a space (a tab across a wide gap, as between table cells), lines
by a newline, and a vertical gap of more than a line becomes a blank line. Inserted
separators have no box (NaN).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import IO, Literal

import numpy as np

Backend = Literal["pdfplumber", "pypdfium2"]
BACKENDS: tuple[Backend, ...] = ("pdfplumber", "pypdfium2")
REPLACEMENT = "\ufffd"
_NO_BOX = np.full((1, 4), np.nan, dtype=np.float32)


@dataclass
class Word:
    text: str
    boxes: np.ndarray  # (len(text), 4) float32: x0, top, x1, bottom per character

    @property
    def x0(self) -> float:
        return float(np.nanmin(self.boxes[:, 0]))

    @property
    def x1(self) -> float:
        return float(np.nanmax(self.boxes[:, 2]))

    @property
    def top(self) -> float:
        return float(np.nanmin(self.boxes[:, 1]))

    @property
    def bottom(self) -> float:
        return float(np.nanmax(self.boxes[:, 3]))


@dataclass
class PageText:
    text: str
    boxes: np.ndarray  # (len(text), 4) float32, NaN rows for inserted separators
    width: float
    height: float
    has_images: bool = False


class PdfOpenError(Exception):
    """The PDF could not be opened: `encrypted` says whether a password is the cause."""

    def __init__(self, encrypted: bool, kind: str):
        self.encrypted = encrypted
        super().__init__(kind)


class PdfSource:
    """An open PDF: its page count and its pages' text, one page at a time."""

    def __init__(self, handle, backend: Backend):
        self.handle = handle
        self.backend = backend

    def __len__(self) -> int:
        return len(self.handle.pages) if self.backend == "pdfplumber" else len(self.handle)

    def pages(self) -> Iterator[PageText]:
        reader = _plumber_page if self.backend == "pdfplumber" else _pdfium_page
        for index in range(len(self)):
            yield reader(self.handle, index)


#: PDFium is not thread-safe: one document at a time per process when called from threads
_PDFIUM_LOCK = threading.RLock()


@contextmanager
def open_pdf(stream: IO[bytes], backend: Backend) -> Iterator[PdfSource]:
    """Open a PDF stream with `backend`; raises PdfOpenError if it cannot be parsed."""
    with _PDFIUM_LOCK if backend == "pypdfium2" else nullcontext():
        handle = _open_plumber(stream) if backend == "pdfplumber" else _open_pdfium(stream)
        try:
            yield PdfSource(handle, backend)
        finally:
            handle.close()


def _open_plumber(stream: IO[bytes]):
    import pdfplumber

    try:
        pdf = pdfplumber.open(stream)
        len(pdf.pages)  # parse the page tree now, so broken files fail here
        return pdf
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types for broken files
        raise PdfOpenError(_is_password_error(exc), type(exc).__name__) from None


def _open_pdfium(stream: IO[bytes]):
    import pypdfium2 as pdfium

    data = stream.read()
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # pdfium's last-error code is process-wide and not reset on success: confirm with the trailer
        encrypted = getattr(exc, "err_code", None) == 4 and b"/Encrypt" in data  # 4: FPDF_ERR_PASSWORD
        raise PdfOpenError(encrypted, type(exc).__name__) from None


def _is_password_error(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        name = type(exc).__name__
        if "Password" in name or "Encrypt" in name:
            return True
        for arg in getattr(exc, "args", ()):
            if isinstance(arg, BaseException) and _is_password_error(arg):
                return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _plumber_page(pdf, index: int) -> PageText:
    page = pdf.pages[index]
    try:
        words = [_plumber_word(w["chars"]) for w in page.extract_words(
            use_text_flow=True, return_chars=True, keep_blank_chars=False, expand_ligatures=False)]
        text, boxes = layout(words)
        return PageText(text, boxes, float(page.width), float(page.height), bool(page.images))
    finally:
        page.close()


def _plumber_word(chars: list[dict]) -> Word:
    texts, rows = [], []
    for ch in chars:
        t = ch["text"]
        if t.startswith("(cid:"):
            t = REPLACEMENT
        box = (ch["x0"], ch["top"], ch["x1"], ch["bottom"])
        texts.append(t)
        rows.extend([box] * len(t))
    return Word("".join(texts), np.asarray(rows, dtype=np.float32).reshape(-1, 4))


def _pdfium_page(pdf, index: int) -> PageText:
    from pypdfium2 import raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            words = list(_pdfium_words(textpage, raw, height))
        finally:
            textpage.close()
        has_images = any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=1))
        text, boxes = layout(words)
        return PageText(text, boxes, float(width), float(height), has_images)
    finally:
        page.close()


def _pdfium_words(textpage, raw, height: float) -> Iterator[Word]:
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: read them one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
    chars: list[str] = []
    rows: list[tuple[float, float, float, float]] = []
    for i, ch in enumerate(text):
        if ch.isspace() or raw.FPDFText_IsGenerated(textpage, i):
            if chars:
                yield Word("".join(chars), np.asarray(rows, dtype=np.float32))
                chars, rows = [], []
            continue
        if raw.FPDFText_HasUnicodeMapError(textpage, i) or not ch.isprintable():
            ch = REPLACEMENT
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        chars.append(ch)
        rows.append((left, height - top, right, height - bottom))
    if chars:
        yield Word("".join(chars), np.asarray(rows, dtype=np.float32))


def layout(words: list[Word]) -> tuple[str, np.ndarray]:
    """Page text and per-character boxes from words in reading order (see module docstring)."""
    parts: list[str] = []
    boxes: list[np.ndarray] = []
    line_top = line_bottom = last_x1 = None
    for word in words:
        if not word.text:
            continue
        top, bottom, x0 = word.top, word.bottom, word.x0
        if line_top is None:
            sep = ""
        elif _same_line(line_top, line_bottom, last_x1, top, bottom, x0):
            sep = "\t" if x0 - last_x1 > max(12.0, 1.5 * (bottom - top)) else " "
        else:
            gap = top - line_bottom
            sep = "\n\n" if gap > 0.8 * (line_bottom - line_top) else "\n"
            line_top, line_bottom = top, bottom
        if sep:
            parts.append(sep)
            boxes.append(np.repeat(_NO_BOX, len(sep), axis=0))
        parts.append(word.text)
        boxes.append(word.boxes)
        if line_top is None:
            line_top, line_bottom = top, bottom
        line_top, line_bottom = min(line_top, top), max(line_bottom, bottom)
        last_x1 = word.x1
    if not parts:
        return "", np.empty((0, 4), dtype=np.float32)
    return "".join(parts), np.concatenate(boxes).astype(np.float32, copy=False)


def _same_line(line_top: float, line_bottom: float, last_x1: float, top: float, bottom: float, x0: float) -> bool:
    """The word continues the current line: it overlaps it vertically and lies to its right."""
    overlap = min(line_bottom, bottom) - max(line_top, top)
    height = min(line_bottom - line_top, bottom - top)
    return overlap > 0.5 * max(height, 0.1) and x0 >= last_x1 - 2.0
