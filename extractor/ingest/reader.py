"""Documents in, with provenance: PDF packets and plain-text notes -> `IngestedDocument`.

The text of a PDF is its pages joined by form feeds; `page_starts` says where each page
begins and a compact char -> box map (float32, NaN where a character has no box) gives the
PDF box of any span. The file type is sniffed from the content, never trusted from the
name. Bad input raises `InputError` with a code from the closed catalogue; its reason never
holds document text. Pages with no usable text layer are not an error: they are listed in
`unreadable_pages` (OCR comes later).
"""
from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np

from extractor.ingest.document import IngestedDocument
from extractor.ingest.errors import InputError
from extractor.ingest.inflate_guard import InflateBomb, check_pdf
from extractor.ingest.ocr import apply_ocr  # OCR fallback: unusable pages read from their page image
from extractor.ingest.pdftext import MAX_PAGE_GLYPHS, Backend, PageText, PageTooLarge, PdfOpenError, open_pdf
from extractor.ingest.xobject_guard import FormLoop, check_forms
from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import line_key
from models import ErrorCode

#: pypdfium2 reads ~4x faster than pdfplumber (benchmarks/ingest.py) with the same text, reading
#: order and tables in the tests; pdfplumber stays available and is the fallback for files it refuses
DEFAULT_BACKEND: Backend = "pypdfium2"
PDF_MAGIC = b"%PDF-"
SNIFF_BYTES = 1024
#: a page needs this many letters or digits outside repeated header/footer lines to count as read
MIN_PAGE_CHARS = 20
#: a page holding more characters than this is refused: a dense 8 pt page holds ~6,000, and the NLP's
#: cost grows faster than linearly in the matches of one note (a 200,000-character page: minutes)
MAX_PAGE_CHARS = 20_000
#: a page whose non-space characters are more than this share unmapped glyphs is unreadable
MAX_GARBAGE_SHARE = 0.3


def ingest(source: str | Path | bytes | BinaryIO, name: str | None = None, *, max_pages: int | None = None,
           max_bytes: int | None = None, backend: Backend = DEFAULT_BACKEND) -> IngestedDocument:
    """Read a PDF or plain-text document from a path, bytes or a binary stream."""
    data, name = _read(source, name, max_bytes)
    if not data:
        raise InputError(ErrorCode.EMPTY_FILE, name, "the file is empty (zero bytes)")
    sha = hashlib.sha256(data).hexdigest()
    if PDF_MAGIC in data[:SNIFF_BYTES]:
        return _ingest_pdf(data, name, sha, max_pages, backend)
    if name.lower().endswith(".pdf"):
        raise InputError(ErrorCode.NOT_A_PDF, name, "named .pdf but has no PDF header")
    text = decode_text(data)
    if text is None:
        raise InputError(ErrorCode.UNSUPPORTED_TYPE, name, "neither a PDF nor a UTF-8 text file")
    return IngestedDocument(name=name, sha256=sha, media_type="text", text=text, page_starts=[0])


def _read(source: str | Path | bytes | BinaryIO, name: str | None, max_bytes: int | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "document"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = name or path.name or str(path)
        data = _read_path(path, name, max_bytes)
    else:
        name = name or os.path.basename(str(getattr(source, "name", "") or "")) or "document"
        data = source.read() if max_bytes is None else source.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(ErrorCode.TOO_LARGE, name, f"larger than the limit of {max_bytes} bytes")
    return data, name


def _read_path(path: Path, name: str, max_bytes: int | None) -> bytes:
    try:
        if path.is_dir():
            raise InputError(ErrorCode.UNREADABLE_PATH, name, "is a directory, not a file")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise InputError(ErrorCode.TOO_LARGE, name, f"{size} bytes, over the limit of {max_bytes}")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(ErrorCode.UNREADABLE_PATH, name, "no such file") from None
    except PermissionError:
        raise InputError(ErrorCode.UNREADABLE_PATH, name, "permission denied") from None
    except OSError as exc:
        raise InputError(ErrorCode.UNREADABLE_PATH, name, f"cannot be read ({exc.strerror or 'OS error'})") from None


def decode_text(data: bytes) -> str | None:
    """The text of a plain-text note, exactly as decoded; None if the bytes are not text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    text: str | None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _cp1252_if_text(data)
    if text is None or not _looks_like_text(text):
        return None
    return text


def _cp1252_if_text(data: bytes) -> str | None:
    """Legacy Windows text: only when no byte is undefined in cp1252 and most bytes are ASCII."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    ascii_share = sum(b < 0x80 for b in data) / len(data)
    return text if ascii_share > 0.9 else None


def _looks_like_text(text: str) -> bool:
    """Few control characters (a stray NUL is tolerated): binary files that happen to decode are refused."""
    sample = text[:SNIFF_BYTES * 8]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= max(2, len(sample) // 100)


def _ingest_pdf(data: bytes, name: str, sha: str, max_pages: int | None, backend: Backend) -> IngestedDocument:
    try:  # before any parser: PDFium aborts the process when a bomb outgrows the memory limit
        check_pdf(data)
        check_forms(data)
    except InflateBomb as exc:
        raise InputError(ErrorCode.TOO_LARGE, name, f"a decompression bomb: {exc}") from None
    except FormLoop as exc:
        raise InputError(ErrorCode.TRUNCATED if exc.loop else ErrorCode.TOO_LARGE, name, str(exc)) from None
    try:
        return _ingest_with(data, name, sha, max_pages, backend)
    except PdfOpenError as exc:
        if exc.encrypted:
            raise InputError(ErrorCode.ENCRYPTED, name, "the PDF is password protected") from None
        first_failure = str(exc)
    other: Backend = "pypdfium2" if backend == "pdfplumber" else "pdfplumber"
    try:  # the two parsers forgive different damage: a file one refuses, the other may read
        return _ingest_with(data, name, sha, max_pages, other)
    except PdfOpenError as exc:
        if exc.encrypted:
            raise InputError(ErrorCode.ENCRYPTED, name, "the PDF is password protected") from None
    raise InputError(ErrorCode.TRUNCATED, name, f"the PDF structure is broken or cut short ({first_failure})")


def _ingest_with(data: bytes, name: str, sha: str, max_pages: int | None, backend: Backend) -> IngestedDocument:
    with open_pdf(io.BytesIO(data), backend) as pdf:
        count = len(pdf)
        if count == 0:
            raise InputError(ErrorCode.NO_PAGES, name, "the PDF has no pages")
        if max_pages is not None and count > max_pages:
            raise InputError(ErrorCode.TOO_MANY_PAGES, name, f"{count} pages, over the limit of {max_pages}")
        pages = _read_pages(pdf, name)
    return apply_ocr(_assemble(pages, name, sha), data, [p.has_images for p in pages])


def _read_pages(pdf, name: str) -> list[PageText]:
    pages: list[PageText] = []
    iterator = pdf.pages()
    while True:
        try:
            page = next(iterator)
        except StopIteration:
            return pages
        except PageTooLarge as exc:
            raise InputError(ErrorCode.TOO_LARGE, name, f"page {len(pages) + 1} draws {exc.glyphs:,} characters, "
                             f"over the limit of {MAX_PAGE_GLYPHS:,} per page", pages=[len(pages) + 1]) from None
        except Exception as exc:  # noqa: BLE001 - a broken content stream: say which page, never its text
            raise InputError(ErrorCode.TRUNCATED, name, f"page {len(pages) + 1} cannot be read ({type(exc).__name__})",
                             pages=[len(pages) + 1]) from None
        if len(page.text) > MAX_PAGE_CHARS:
            raise InputError(ErrorCode.TOO_LARGE, name, f"page {len(pages) + 1} holds {len(page.text):,} characters, "
                             f"over the limit of {MAX_PAGE_CHARS:,} per page", pages=[len(pages) + 1])
        pages.append(page)


def _assemble(pages: list[PageText], name: str, sha: str) -> IngestedDocument:
    texts, starts, pos = [], [], 0
    for page in pages:
        starts.append(pos)
        texts.append(page.text)
        pos += len(page.text) + 1
    text = "\f".join(texts)
    repeated = repeated_page_lines(text, starts)
    unreadable = []
    for number, page in enumerate(pages, start=1):
        if not page_is_usable(page.text, repeated):
            unreadable.append(number)
    boxes = np.full((len(text), 4), np.nan, dtype=np.float32)
    for start, page in zip(starts, pages):
        boxes[start:start + len(page.text)] = page.boxes
    return IngestedDocument(name=name, sha256=sha, media_type="pdf", text=text, page_starts=starts,
                            unreadable_pages=unreadable, char_boxes=boxes,
                            page_sizes=[(p.width, p.height) for p in pages])


def page_is_usable(page_text: str, repeated: frozenset[str] = frozenset()) -> bool:
    """Enough letters and digits outside repeated header/footer lines, and not mostly unmapped glyphs."""
    body = [line for line in page_text.split("\n") if line_key(line) not in repeated] if repeated else [page_text]
    letters = sum(sum(map(str.isalnum, line)) for line in body)  # map: the per-character loop runs in C
    visible = len(page_text) - sum(map(str.isspace, page_text))
    garbage = page_text.count("\ufffd")
    return letters >= MIN_PAGE_CHARS and garbage <= MAX_GARBAGE_SHARE * max(visible, 1)
