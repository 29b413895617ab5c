"""Text and character boxes of PDF pages, from pdfplumber or pypdfium2, in reading order.

Both backends hand the same thing to one layout step: the page's words in content-stream
order ("text flow"), each with one box per character. Following the content stream keeps
the columns of a two-column page apart (sorting by position, as pdfplumber's default
`extract_text` does, interleaves them line by line) and reads tables row by row. The layout
step then builds the page text itself, so every character of the text has its box: words
on one line are joined by as many spaces as their gap holds (so table columns typed with runs
of spaces keep them), lines by a newline, and a vertical gap of more than a line becomes a
blank line. Inserted
separators have no box (NaN).
"""
from __future__ import annotations

import ctypes
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import cache
from itertools import pairwise, repeat
from typing import Literal

import numpy as np

from extractor.ingest.words import Word, dedupe, reading_order, same_line

Backend = Literal["pdfplumber", "pypdfium2"]
BACKENDS: tuple[Backend, ...] = ("pdfplumber", "pypdfium2")
REPLACEMENT = "\ufffd"
MAX_SPACES = 40
#: characters one page may draw before its words are built: 4x the reader's limit of 20,000 characters
#: of page text (bold set by overprinting draws each glyph 2-4 times). pdfplumber turns every drawn
#: character into a dict (~30 us each): fuzz findings timeout-4/-5 of 2026-12-08, 27 KB pages drawing
#: 90,000-130,000 characters, took 4-7 s (30 s under the fuzzer) only to be refused as too large after
#: their words were built; counted from pdfminer's layout they are refused in its 1.5 s
MAX_PAGE_GLYPHS = 80_000


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


class PageTooLarge(Exception):
    """A page draws more than MAX_PAGE_GLYPHS characters."""

    def __init__(self, glyphs: int):
        self.glyphs = glyphs
        super().__init__(f"{glyphs:,} characters drawn")


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
def open_pdf(stream: io.BytesIO, backend: Backend) -> Iterator[PdfSource]:
    """Open a PDF stream with `backend`; raises PdfOpenError if it cannot be parsed."""
    with _PDFIUM_LOCK if backend == "pypdfium2" else nullcontext():
        handle = _open_plumber(stream) if backend == "pdfplumber" else _open_pdfium(stream)
        try:
            yield PdfSource(handle, backend)
        finally:
            handle.close()


def _open_plumber(stream: io.BytesIO):
    import pdfplumber

    try:
        pdf = pdfplumber.open(stream)
        len(pdf.pages)  # parse the page tree now, so broken files fail here
        return pdf
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types for broken files
        raise PdfOpenError(_is_password_error(exc), type(exc).__name__) from None


def _open_pdfium(stream: io.BytesIO):
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
        glyphs = _layout_chars(page.layout)  # pdfplumber keeps the layout: extract_words reuses it
        if glyphs > MAX_PAGE_GLYPHS:
            raise PageTooLarge(glyphs)
        words = [_plumber_word(w["chars"]) for w in page.extract_words(
            use_text_flow=True, return_chars=True, keep_blank_chars=False, expand_ligatures=False)]
        text, boxes = layout(words)
        return PageText(text, boxes, float(page.width), float(page.height), bool(page.images))
    finally:
        page.close()


def _layout_chars(layout) -> int:
    """Characters in a pdfminer layout tree, as pdfplumber's iter_layout_objects walks it."""
    from pdfminer.layout import LTChar, LTContainer

    count, stack = 0, [layout]
    while stack:
        node = stack.pop()
        if isinstance(node, LTChar):
            count += 1
        elif isinstance(node, LTContainer):
            stack.extend(node)
    return count


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
            words = _pdfium_words(textpage, raw, height)
        finally:
            textpage.close()
        has_images = _has_image_object(page, raw)
        text, boxes = layout(words)
        return PageText(text, boxes, float(width), float(height), has_images)
    finally:
        page.close()


def _pdfium_words(textpage, raw, height: float) -> list[Word]:
    """The page's words: characters split at spaces and generated characters, each with its loose box.

    PDFium answers one character per call; the calls go through `map` over void-pointer prototypes
    (`_char_calls`), so the loop over a page's ~2,000 characters runs in C, and the boxes land in one
    float array that numpy reads whole."""
    count = textpage.count_chars()
    if count > MAX_PAGE_GLYPHS:  # the same limit as pdfplumber's, before any box is read
        raise PageTooLarge(count)
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP: read them one by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
    map_error, loose_box = _char_calls(raw)
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    # the characters PDFium generates (between words and lines) are " ", "\r" and "\n" only: leaving out
    # whitespace leaves them out (tests/test_ingest.py holds PDFium to that on every PDF the tests make)
    index = [m.start() for m in _NOT_SPACE.finditer(text)]  # str.isspace and regex \s are one Unicode table
    n = len(index)
    if not n:
        return []
    rects = (ctypes.c_float * (4 * n))()  # FS_RECTF: left, top, right, bottom (PDF space, y up)
    base = ctypes.addressof(rects)
    if not all(map(loose_box, repeat(handle, n), index, range(base, base + 16 * n, 16))):
        from pypdfium2 import PdfiumError

        raise PdfiumError("Failed to get charbox.")
    chars = [text[i] for i in index]
    unmapped = list(map(map_error, repeat(handle, n), index))
    if any(unmapped) or not "".join(chars).isprintable():
        chars = [REPLACEMENT if bad or not ch.isprintable() else ch for ch, bad in zip(chars, unmapped)]
    starts = [k for k, (before, i) in enumerate(zip([-2, *index], index)) if i != before + 1]
    return _words_of("".join(chars), np.frombuffer(rects, dtype=np.float32).reshape(n, 4), starts, height)


_NOT_SPACE = re.compile(r"\S")


@cache
def _char_calls(raw):
    """FPDFText_HasUnicodeMapError and FPDFText_GetLooseCharBox taking plain addresses (ints), so `map`
    can call them without building a ctypes pointer per character."""
    pointer, integer = ctypes.c_void_p, ctypes.c_int
    return (_address_call(raw.FPDFText_HasUnicodeMapError, integer, pointer, integer),
            _address_call(raw.FPDFText_GetLooseCharBox, integer, pointer, integer, pointer))


def _address_call(function, restype, *argtypes):
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


@cache
def _object_calls(raw):
    """FPDFPage_CountObjects, FPDFPage_GetObject and FPDFPageObj_GetType taking and giving addresses."""
    pointer, integer = ctypes.c_void_p, ctypes.c_int
    return (_address_call(raw.FPDFPage_CountObjects, integer, pointer),
            _address_call(raw.FPDFPage_GetObject, pointer, pointer, integer),
            _address_call(raw.FPDFPageObj_GetType, integer, pointer))


def _has_image_object(page, raw) -> bool:
    """An image among the page's own objects (not inside form XObjects): what
    `any(o.type == FPDF_PAGEOBJ_IMAGE for o in page.get_objects(max_depth=1))` says, without a
    pypdfium2 object per page object."""
    from pypdfium2 import PdfiumError

    count_objects, get_object, get_type = _object_calls(raw)
    handle = ctypes.cast(page.raw, ctypes.c_void_p).value
    count = count_objects(handle)
    if count < 0:
        raise PdfiumError("Failed to get number of pageobjects.")
    for obj in map(get_object, repeat(handle, count), range(count)):
        if not obj:
            raise PdfiumError("Failed to get pageobject.")
        if get_type(obj) == raw.FPDF_PAGEOBJ_IMAGE:
            return True
    return False


def _words_of(chars: str, rects: np.ndarray, starts: list[int], height: float) -> list[Word]:
    """Words from the page's characters and their (left, top, right, bottom) PDF boxes, extents in one pass."""
    if not chars:
        return []
    boxes = np.empty((len(rects), 4), dtype=np.float32)  # x0, top, x1, bottom from the page's top
    pdf = rects.astype(np.float64)
    boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3] = pdf[:, 0], height - pdf[:, 1], pdf[:, 2], height - pdf[:, 3]
    lo = np.fmin.reduceat(boxes, starts, axis=0).tolist()  # fmin/fmax skip NaN like Word's nanmin/nanmax
    hi = np.fmax.reduceat(boxes, starts, axis=0).tolist()
    ends = [*starts[1:], len(chars)]
    return [Word.with_extent(chars[s:e], boxes[s:e], low[0], low[1], high[2], high[3])
            for s, e, low, high in zip(starts, ends, lo, hi)]


def layout(words: list[Word]) -> tuple[str, np.ndarray]:
    """Page text and per-character boxes from words in reading order (see module docstring)."""
    ordered = reading_order(dedupe([w for w in words if w.text]))
    if not ordered:
        return "", np.empty((0, 4), dtype=np.float32)
    space = _space_width(ordered)
    parts: list[str] = [ordered[0].text]
    gaps = [0]  # the separator's length before each word
    line_top, line_bottom = ordered[0].top, ordered[0].bottom  # vertical extent of the current line
    for prev, word in pairwise(ordered):
        top, bottom = word.top, word.bottom
        # `same_line(line_top, line_bottom, prev.x1, top, bottom, word.x0)` written out: min/max as the
        # comparisons the builtins make (the same floats), without two function calls per word
        low, high = bottom if bottom < line_bottom else line_bottom, top if top > line_top else line_top
        tall, own = line_bottom - line_top, bottom - top
        shorter = own if own < tall else tall
        if low - high > 0.5 * (0.1 if 0.1 > shorter else shorter) and word.x0 >= prev.x1 - 2.0:
            # as many spaces as the gap holds, so table columns stay 3+ spaces apart as typed
            sep = " " * min(MAX_SPACES, max(1, round((word.x0 - prev.x1) / space)))
            line_top, line_bottom = top if top < line_top else line_top, bottom if bottom > line_bottom else line_bottom
        else:
            sep = "\n\n" if top - line_bottom > 0.8 * (line_bottom - line_top) else "\n"
            line_top, line_bottom = top, bottom
        parts += [sep, word.text]
        gaps.append(len(sep))
    return "".join(parts), _layout_boxes(ordered, gaps)


def _layout_boxes(words: list[Word], gaps: list[int]) -> np.ndarray:
    """Each word's boxes after its separator's NaN rows, all words in one array."""
    sizes = np.fromiter((len(w.boxes) for w in words), dtype=np.int64, count=len(words))
    gap = np.asarray(gaps, dtype=np.int64)
    ends = np.cumsum(gap + sizes)
    out = np.full((int(ends[-1]) if len(ends) else 0, 4), np.nan, dtype=np.float32)
    if sizes.sum():
        starts = ends - sizes  # where each word's boxes go
        out[np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())] = \
            np.concatenate([w.boxes for w in words]).astype(np.float32, copy=False)
    return out


def _space_width(words: list[Word]) -> float:
    """Width of one space on the page: the median gap between words of a line (most gaps are one
    space), kept within what fonts allow for their size (a page of tables has few one-space gaps)."""
    x0, top, x1, bottom = np.array([(w.x0, w.top, w.x1, w.bottom) for w in words], dtype=np.float64).T
    height = float(np.median(bottom - top))
    if np.isfinite(x0).all() and np.isfinite(top).all() and np.isfinite(x1).all() and np.isfinite(bottom).all():
        gap = x0[1:] - x1[:-1]  # each pair of neighbours at once: `_same_line` as arrays (finite: same floats)
        overlap = np.minimum(bottom[:-1], bottom[1:]) - np.maximum(top[:-1], top[1:])
        shorter = np.minimum(bottom[:-1] - top[:-1], bottom[1:] - top[1:])
        same = (overlap > 0.5 * np.maximum(shorter, 0.1)) & (x0[1:] >= x1[:-1] - 2.0)
        gaps = gap[(x0[1:] > x1[:-1]) & same]
    else:
        gaps = [b.x0 - a.x1 for a, b in pairwise(words)
                if b.x0 > a.x1 and same_line(a.top, a.bottom, a.x1, b.top, b.bottom, b.x0)]
    width = float(np.median(gaps)) if len(gaps) else 0.25 * height
    return min(max(width, 0.15 * height), 0.7 * height, 1e9) or 1.0
