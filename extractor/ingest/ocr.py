"""OCR fallback for pages without a usable text layer (scanned and faxed charts).

`apply_ocr(doc, data, has_images)` is called by `extractor.ingest.reader` once a PDF is assembled. It
picks the pages to read (no usable text layer, or an image whose ink the text layer does not
cover: a scan under a typed fax header), reads them with Tesseract at 300 dpi in parallel worker
processes (`extractor.ingest.ocr_engine`), and puts the OCR words into the document text and its
char -> box map, so evidence quotes and bboxes work as for a text layer: each word's characters
share out its box, mapped back onto the page image as rendered (deskew and orientation undone).

Each reading is cached by the hash of the rendered page image under `$CHARTSIFT_OCR_CACHE`
(default `~/.cache/chartsift/ocr`; `off` disables it); the cache holds page text (PHI), so the
folder is created private (0700). `CHARTSIFT_OCR=off` turns OCR off; `CHARTSIFT_OCR_WORKERS`
caps the worker processes (default: one per CPU, never more than pages to read).
"""
from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from extractor.ingest import ocr_engine
from extractor.ingest.document import IngestedDocument, OcrResult
from extractor.ingest.ocr_engine import OcrUnavailable, OcrWord, PageReading
from models import ErrorCode

log = logging.getLogger("chartsift.ocr")

OCR_DPI = 300
CACHE_ENV = "CHARTSIFT_OCR_CACHE"
WORKERS_ENV = "CHARTSIFT_OCR_WORKERS"
SWITCH_ENV = "CHARTSIFT_OCR"
CACHE_VERSION = "chartsift-ocr-2"
#: evidence read only from OCR words of lower mean confidence (0-100) is flagged for double-checking
LOW_CONFIDENCE = 70.0
#: an image page is read by OCR when most of its ink lies outside the text layer's character boxes
INK_CHECK_DPI = 50
MIN_UNCOVERED_INK_SHARE = 0.6
MIN_UNCOVERED_INK_AREA = 0.005
#: pages with fewer letters and digits than this get the ink check even without an image object
SHORT_TEXT_CHARS = 400
_NO_BOX = np.full((1, 4), np.nan, dtype=np.float32)
#: a gap this many times the page's usual word gap is more than one space: kept as a run of spaces
WIDE_GAP = 1.6
MAX_SPACES = 40  # as extractor/ingest/pdftext.py


@dataclass
class OcrPage:
    text: str
    boxes: np.ndarray  # (len(text), 4) points on the page as rendered; NaN for separators
    confidences: np.ndarray  # (len(text),) word confidence per character; NaN for separators
    confidence: float | None
    readable: bool


def ocr_enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "on").strip().lower() not in {"0", "off", "false", "no"}


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV)
    if value is not None and value.strip().lower() in {"", "0", "off", "none"}:
        return None
    return Path(value).expanduser() if value else Path.home() / ".cache" / "chartsift" / "ocr"


def apply_ocr(doc: IngestedDocument, data: bytes, has_images: list[bool] | None = None) -> IngestedDocument:
    """`doc` with the text of its unusable pages read by OCR (unchanged when there is none to read)."""
    wanted = pages_to_read(doc, data, has_images or [False] * doc.pages)
    if not wanted or not ocr_enabled():
        return doc
    if ocr_engine.tesseract_command() is None:
        # counts only: file names often carry the patient's name
        log.warning("OCR skipped for %d page(s): tesseract is not installed", len(wanted))
        return doc
    try:
        readings = read_pages(data, wanted)
    except OcrUnavailable as exc:
        log.warning("OCR failed for %d page(s): %s", len(wanted), exc)
        return doc
    return merge_pages(doc, {page: page_from_reading(r) for page, r in zip(wanted, readings)})


def pages_to_read(doc: IngestedDocument, data: bytes, has_images: list[bool]) -> list[int]:
    """1-based pages needing OCR: unusable text layer, or an image page whose ink is mostly not text."""
    wanted = set(doc.unreadable_pages)
    for number, images in enumerate(has_images, start=1):
        if number in wanted or not (images or _short_text(doc, number)):
            continue
        if _ink_mostly_uncovered(doc, data, number):
            wanted.add(number)
    return sorted(wanted)


def _page_text(doc: IngestedDocument, page: int) -> str:
    start = doc.page_starts[page - 1]
    return doc.text[start:doc.page_starts[page] - 1] if page < doc.pages else doc.text[start:]


def _short_text(doc: IngestedDocument, page: int) -> bool:
    """Little text (a typed header over a scan; images inside form objects are not seen as images)."""
    return sum(map(str.isalnum, _page_text(doc, page))) < SHORT_TEXT_CHARS


def _ink_mostly_uncovered(doc: IngestedDocument, data: bytes, page: int) -> bool:
    try:
        image = np.asarray(ocr_engine.render_page(data, page - 1, INK_CHECK_DPI)) < 128
    except OcrUnavailable:  # a page too large to render: keep its text layer
        return False
    total = image.sum()
    if total == 0:
        return False
    covered = np.zeros_like(image)
    start = doc.page_starts[page - 1]
    end = doc.page_starts[page] if page < doc.pages else len(doc.text)
    boxes = doc.char_boxes[start:end] if doc.char_boxes is not None else np.empty((0, 4))
    scale = INK_CHECK_DPI / 72.0
    for x0, top, x1, bottom in boxes[~np.isnan(boxes[:, 0])] * scale:
        covered[max(int(top) - 1, 0):int(bottom) + 2, max(int(x0) - 1, 0):int(x1) + 2] = True
    uncovered = (image & ~covered).sum()
    return bool(uncovered / total > MIN_UNCOVERED_INK_SHARE and uncovered / image.size > MIN_UNCOVERED_INK_AREA)


# -- reading pages (in worker processes) ----------------------------------------------------------

_PDF: bytes | None = None


def _init_worker(data: bytes) -> None:
    global _PDF
    _PDF = data


def _read_in_worker(index: int, dpi: int, folder: str | None) -> dict[str, Any]:
    assert _PDF is not None
    return read_page_record(_PDF, index, dpi, Path(folder) if folder else None)


def read_pages(data: bytes, pages: list[int], *, dpi: int | None = None, workers: int | None = None) -> list[PageReading]:
    """Readings of the 1-based `pages`, in order: cached ones from the cache, the rest in parallel."""
    dpi = dpi or OCR_DPI
    folder = cache_dir()
    count = _worker_count(len(pages), workers)
    if count <= 1:
        records = [read_page_record(data, p - 1, dpi, folder) for p in pages]
    else:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with ProcessPoolExecutor(max_workers=count, mp_context=context, initializer=_init_worker,
                                 initargs=(data,)) as pool:
            records = list(pool.map(_read_in_worker, [p - 1 for p in pages], [dpi] * len(pages),
                                    [str(folder) if folder else None] * len(pages)))
    return [reading_from_record(r) for r in records]


def _worker_count(pages: int, workers: int | None) -> int:
    if multiprocessing.current_process().daemon:  # a pool worker (chartsift screen) cannot have children
        return 1
    limit = workers or int(os.environ.get(WORKERS_ENV, "0") or 0) or (os.cpu_count() or 1)
    return max(1, min(pages, limit, os.cpu_count() or 1))


def read_page_record(data: bytes, index: int, dpi: int, folder: Path | None) -> dict[str, Any]:
    """OCR of page `index` as a plain record, from the cache when this page image was read before."""
    image = ocr_engine.render_page(data, index, dpi)
    key = _cache_key(image.tobytes(), image.size, dpi)
    cached = _cache_get(folder, key)
    if cached is not None:
        return cached
    record = record_of(ocr_engine.read_image(image, dpi))
    _cache_put(folder, key, record)
    return record


def record_of(reading: PageReading) -> dict[str, Any]:
    return {"angle": reading.angle, "size": list(reading.size), "dpi": reading.dpi,
            "words": [[w.text, *[round(v, 2) for v in w.box], round(w.confidence, 2), *w.line]
                      for w in reading.words]}


def reading_from_record(record: dict[str, Any]) -> PageReading:
    words = [OcrWord(text=w[0], box=(w[1], w[2], w[3], w[4]), confidence=w[5], line=(w[6], w[7], w[8]))
             for w in record["words"]]
    return PageReading(words=words, angle=record["angle"], size=(record["size"][0], record["size"][1]),
                       dpi=record["dpi"])


def _cache_key(pixels: bytes, size: tuple[int, int], dpi: int) -> str:
    digest = hashlib.sha256(pixels)
    digest.update(f"|{size}|{dpi}|{CACHE_VERSION}|{_engine_version()}".encode())
    return digest.hexdigest()


_ENGINE_VERSION: str | None = None


def _engine_version() -> str:
    global _ENGINE_VERSION
    if _ENGINE_VERSION is None:
        _ENGINE_VERSION = ocr_engine.tesseract_version()
    return _ENGINE_VERSION


def _cache_get(folder: Path | None, key: str) -> dict[str, Any] | None:
    if folder is None:
        return None
    try:
        return json.loads((folder / key[:2] / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cache_put(folder: Path | None, key: str, record: dict[str, Any]) -> None:
    if folder is None:
        return
    try:
        target = folder / key[:2] / f"{key}.json"
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:  # a read-only cache never stops a review
        log.warning("OCR cache not written (%s)", type(exc).__name__)


# -- page text and boxes from a reading -----------------------------------------------------------

def page_from_reading(reading: PageReading) -> OcrPage:
    """Page text laid out like a text layer's (words by spaces, lines by newlines, a blank line
    between paragraphs), every character with its word's box and confidence."""
    parts: list[str] = []
    boxes: list[np.ndarray] = []
    confs: list[np.ndarray] = []
    prev: OcrWord | None = None
    space = _word_space(reading.words)
    lines = _line_extents(reading.words)
    for word in reading.words:
        if prev is not None:
            sep = _separator(prev, word, space, lines)
            parts.append(sep)
            boxes.append(np.repeat(_NO_BOX, len(sep), axis=0))
            confs.append(np.full(len(sep), np.nan, dtype=np.float32))
        parts.append(word.text)
        boxes.append(_char_boxes(word))
        confs.append(np.full(len(word.text), word.confidence, dtype=np.float32))
        prev = word
    if not parts:
        return OcrPage("", np.empty((0, 4), np.float32), np.empty(0, np.float32), None, False)
    box_array = ocr_engine.unrotate_boxes(np.concatenate(boxes).astype(np.float32), reading)
    confidence = reading.confidence
    return OcrPage("".join(parts), box_array, np.concatenate(confs),
                   None if confidence is None else round(confidence, 1), reading.readable)


LineExtents = dict[tuple[int, int, int], tuple[float, float]]


def _separator(prev: OcrWord, word: OcrWord, space: float, lines: LineExtents) -> str:
    """Between words of a line: as many spaces as the gap holds, as pdftext does for a text layer (table
    columns typed with runs of spaces stay 3+ spaces apart), one space for an ordinary gap. Between
    lines: a newline, or a blank line where the gap is more than 0.8 line heights (as pdftext does)."""
    if word.line == prev.line:
        gap = word.box[0] - prev.box[2]
        return " " * min(MAX_SPACES, max(1, round(gap / space))) if gap > WIDE_GAP * space else " "
    top, bottom = lines[prev.line]
    return "\n\n" if lines[word.line][0] - bottom > 0.8 * (bottom - top) else "\n"


def _line_extents(words: list[OcrWord]) -> LineExtents:
    """Top and bottom of each of Tesseract's lines (a "+" alone is no measure of its line's height)."""
    extents: LineExtents = {}
    for w in words:
        top, bottom = extents.get(w.line, (w.box[1], w.box[3]))
        extents[w.line] = (min(top, w.box[1]), max(bottom, w.box[3]))
    return extents


def _word_space(words: list[OcrWord]) -> float:
    """The page's usual gap between words of a line, in points (ink box to ink box)."""
    gaps = [b.box[0] - a.box[2] for a, b in pairwise(words) if a.line == b.line and b.box[0] > a.box[2]]
    return max(float(np.median(gaps)), 1.0) if gaps else 3.0


def _char_boxes(word: OcrWord) -> np.ndarray:
    """The word's box shared out evenly among its characters."""
    x0, top, x1, bottom = word.box
    n = len(word.text)
    edges = np.linspace(x0, x1, n + 1, dtype=np.float32)
    return np.stack([edges[:-1], np.full(n, top), edges[1:], np.full(n, bottom)], axis=1).astype(np.float32)


# -- the document with its OCR'd pages ------------------------------------------------------------

def merge_pages(doc: IngestedDocument, read: dict[int, OcrPage]) -> IngestedDocument:
    """`doc` with each readable OCR page's text, boxes and confidences in place of its text layer's."""
    texts, boxes, confs, starts = [], [], [], []
    result = OcrResult()
    pos = 0
    for number in range(1, doc.pages + 1):
        start = doc.page_starts[number - 1]
        end = doc.page_starts[number] - 1 if number < doc.pages else len(doc.text)
        page = read.get(number)
        if page is not None and number not in doc.unreadable_pages and not _adds_text(page, doc, number):
            page = None  # picked for its ink (lines, a logo), but the text layer already holds the words
        if page is not None and page.readable:
            text, box, conf = page.text.replace("\f", " "), page.boxes, page.confidences
            result.pages.append(number)
            result.confidence[number] = page.confidence if page.confidence is not None else 0.0
        else:
            text = doc.text[start:end]
            box = doc.char_boxes[start:end] if doc.char_boxes is not None else np.full((end - start, 4), np.nan)
            conf = np.full(end - start, np.nan, dtype=np.float32)
            if page is not None:
                result.failed.append(number)
        starts.append(pos)
        texts.append(text)
        boxes.append(box)
        confs.append(conf)
        pos += len(text) + 1
    joined_boxes: list[np.ndarray] = []
    joined_confs: list[np.ndarray] = []
    for i, (box, conf) in enumerate(zip(boxes, confs)):
        if i:  # the form feed between pages
            joined_boxes.append(_NO_BOX)
            joined_confs.append(np.full(1, np.nan, dtype=np.float32))
        joined_boxes += [np.asarray(box, dtype=np.float32).reshape(-1, 4)]
        joined_confs += [conf]
    result.char_confidence = np.concatenate(joined_confs).astype(np.float32)
    unreadable = [p for p in doc.unreadable_pages if p not in result.pages]
    return replace(doc, text="\f".join(texts), page_starts=starts, unreadable_pages=unreadable,
                   char_boxes=np.concatenate(joined_boxes).astype(np.float32), ocr=result)


def _adds_text(page: OcrPage, doc: IngestedDocument, number: int) -> bool:
    """OCR found clearly more text than the page's text layer (the scan under a typed header)."""
    layer = sum(ch.isalnum() for ch in _page_text(doc, number))
    return sum(ch.isalnum() for ch in page.text) > 1.5 * layer + 40


# -- what the review reports ----------------------------------------------------------------------

def span_confidence(doc: Any, start: int, end: int) -> float | None:
    """Mean OCR confidence of the characters of [start, end); None when none of them is OCR text."""
    ocr = getattr(doc, "ocr", None)
    if ocr is None or ocr.char_confidence is None or end <= start:
        return None
    values = ocr.char_confidence[start:end]
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else None


def mark_low_confidence(facts: list, sources: list) -> None:
    """Set `needs_verification` on facts whose every evidence is OCR text read below LOW_CONFIDENCE."""
    by_name = {s.name: s for s in sources}
    for fact in facts:
        scores = [span_confidence(by_name.get(e.document), e.start, e.end) for e in fact.evidence]
        if scores and all(s is not None and s < LOW_CONFIDENCE for s in scores):
            fact.needs_verification = True


def page_warnings(sources: list) -> list[str]:
    """Coded warnings: pages OCR could not read (`ocr_unreadable`), pages left unread (`no_text_layer`)."""
    warnings = []
    for source in sources:
        ocr = getattr(source, "ocr", None)
        failed = [p for p in (ocr.failed if ocr else []) if p in source.unreadable_pages]
        unread = [p for p in source.unreadable_pages if p not in failed]
        if failed:
            warnings.append(f"{ErrorCode.OCR_UNREADABLE.value}: {source.name}: pages {', '.join(map(str, failed))} "
                            "are images that OCR could not read; criteria they may document stay insufficient")
        if unread:
            warnings.append(f"{ErrorCode.NO_TEXT_LAYER.value}: {source.name}: pages {', '.join(map(str, unread))} "
                            "have no usable text layer and were not read")
    return warnings
