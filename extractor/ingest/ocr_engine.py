"""One page image -> words with boxes: deskew, orientation, Tesseract (CLI, TSV), boxes back on the page.

Runs in worker processes (see `extractor.ingest.ocr`), so it imports only numpy, Pillow and pypdfium2.
Tesseract is called as a command (`tesseract stdin stdout tsv`) with `OMP_THREAD_LIMIT=1`: one
thread per page, pages in parallel across processes (Tesseract's own threading is ~5x slower on
two cores). The page is rendered at `dpi`, cleaned of speckles (3x3 median), deskewed by a
projection profile, and turned upright with Tesseract's OSD when a first reading is poor.
Every box is mapped back through the same rotation onto the page as rendered, in PDF points, so
an evidence bbox lands on the quoted words of the page image. No text is ever logged.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

#: marks without a letter or digit this unsure are speckles and smudges, not text (unsure words are kept:
#: Tesseract is often unsure of "SIJ" in a sans-serif fax, and the word matters)
DROP_CONFIDENCE = 15.0
#: a page is read when its words of at least this confidence hold MIN_READ_CHARS letters/digits
READ_CONFIDENCE = 40.0
MIN_READ_CHARS = 20
#: below this mean confidence the first reading may be sideways: ask OSD for the orientation
ORIENTATION_RETRY_CONFIDENCE = 55.0
MAX_SKEW_DEGREES = 5.0
#: the reading knobs benchmarks/ocr_tradeoff.py measures (CPU per dense page against the scan-vs-text
#: fact F1 gap): Tesseract's page-segmentation mode; pages straighter than DESKEW_BELOW_DEGREES are read
#: as they are (Tesseract's own line finding copes with a slight skew); MEDIAN_FILTER is the despeckling
#: window (0: none); CROP_MARGINS reads only the inked part of the page; TESSERACT_OPTIONS are passed on
PAGE_PSM = 3
DESKEW_BELOW_DEGREES = 0.15
MEDIAN_FILTER = 3
CROP_MARGINS = False
TESSERACT_OPTIONS: tuple[str, ...] = ()
#: white border kept around the inked area when cropping, in points
CROP_PAD_POINTS = 12.0
TESSERACT_TIMEOUT_S = 120
#: most pixels a rendered page may have (letter at 300 dpi: 8.4 million; A0 at 300 dpi: 140 million)
MAX_RENDER_PIXELS = 150_000_000
_OSD_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_OSD_CONFIDENCE = re.compile(r"Orientation confidence:\s*([\d.]+)")


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed (or not runnable); the message names the command only."""


@dataclass
class OcrWord:
    text: str
    box: tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, deskewed page frame
    confidence: float
    line: tuple[int, int, int] = (0, 0, 0)  # Tesseract's block, paragraph, line


@dataclass
class PageReading:
    """What OCR read on one page: words in reading order, the rotation that made the page upright."""

    words: list[OcrWord]
    angle: float  # degrees counter-clockwise the page image was turned before reading
    size: tuple[int, int]  # rendered image width, height in pixels
    dpi: int

    @property
    def confidence(self) -> float | None:
        """Mean word confidence weighted by word length (0-100), None when nothing was read."""
        weights = [len(w.text) for w in self.words]
        if not weights:
            return None
        return sum(w.confidence * n for w, n in zip(self.words, weights)) / sum(weights)

    @property
    def readable(self) -> bool:
        chars = sum(ch.isalnum() for w in self.words if w.confidence >= READ_CONFIDENCE for ch in w.text)
        return chars >= MIN_READ_CHARS


def tesseract_command() -> str | None:
    """The tesseract executable (env CHARTSIFT_TESSERACT overrides), None when not installed."""
    return shutil.which(os.environ.get("CHARTSIFT_TESSERACT", "tesseract"))


def tesseract_version() -> str:
    command = tesseract_command()
    if command is None:
        raise OcrUnavailable("tesseract is not installed")
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=False, timeout=30)
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0] if first else "tesseract"


def render_page(pdf_bytes: bytes, index: int, dpi: int) -> Image.Image:
    """Page `index` (0-based) of a PDF as a grayscale image at `dpi`."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(pdf_bytes)
    except pdfium.PdfiumError:  # a file only pdfplumber could read (fuzz finding fuzz_pdfium_refuses.pdf)
        raise OcrUnavailable("PDFium cannot open the document to render its pages") from None
    try:
        page = pdf[index]
        try:
            width, height = page.get_size()
            if width * height * (dpi / 72.0) ** 2 > MAX_RENDER_PIXELS:  # a hostile MediaBox: no bitmap that big
                raise OcrUnavailable(f"page {index + 1} is too large to render ({width:.0f} x {height:.0f} pt)")
            bitmap = page.render(scale=dpi / 72.0, grayscale=True)
            image = bitmap.to_pil().convert("L")
            bitmap.close()
            return image
        finally:
            page.close()
    finally:
        pdf.close()


def read_image(image: Image.Image, dpi: int) -> PageReading:
    """OCR one grayscale page image: despeckle, deskew, read, and retry upright when poor."""
    clean = image.convert("L")
    if MEDIAN_FILTER:
        clean = clean.filter(ImageFilter.MedianFilter(MEDIAN_FILTER))
    skew = estimate_skew(clean)
    reading = _read_rotated(clean, skew, dpi)
    if (reading.confidence or 0.0) < ORIENTATION_RETRY_CONFIDENCE and _has_ink(clean):
        turn = detect_orientation(_rotate(clean, skew), dpi)
        if turn:
            upright = _read_rotated(clean, skew + turn, dpi)
            if _score(upright) > _score(reading):
                reading = upright
    return reading


def _score(reading: PageReading) -> float:
    return sum(len(w.text) for w in reading.words if w.confidence >= READ_CONFIDENCE)


def _has_ink(image: Image.Image) -> bool:
    small = np.asarray(image.reduce(4))
    return bool((small < 128).mean() > 0.002)


def _read_rotated(image: Image.Image, angle: float, dpi: int) -> PageReading:
    turned = _rotate(image, angle)
    left, top = 0, 0
    if CROP_MARGINS:
        left, top, right, bottom = _ink_bounds(turned, round(CROP_PAD_POINTS * dpi / 72.0))
        turned = turned.crop((left, top, right, bottom))
    words = run_tesseract(turned, dpi, PAGE_PSM)
    if left or top:  # boxes back into the frame of the whole turned page
        dx, dy = left * 72.0 / dpi, top * 72.0 / dpi
        for w in words:
            w.box = (w.box[0] + dx, w.box[1] + dy, w.box[2] + dx, w.box[3] + dy)
    return PageReading(words=words, angle=angle, size=image.size, dpi=dpi)


def _ink_bounds(image: Image.Image, pad: int) -> tuple[int, int, int, int]:
    """The inked part of the page (from a 4x reduced copy), padded; the whole page when it has no ink."""
    small = np.asarray(image.reduce(4)) < 128
    rows, cols = np.flatnonzero(small.any(axis=1)), np.flatnonzero(small.any(axis=0))
    if not len(rows):
        return 0, 0, image.width, image.height
    return (max(0, cols[0] * 4 - pad), max(0, rows[0] * 4 - pad),
            min(image.width, (cols[-1] + 1) * 4 + pad), min(image.height, (rows[-1] + 1) * 4 + pad))


def _rotate(image: Image.Image, angle: float) -> Image.Image:
    if abs(angle) < 1e-6:
        return image
    return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def estimate_skew(image: Image.Image) -> float:
    """Degrees (counter-clockwise) that straighten the text lines: the angle whose rotation gives the
    sharpest horizontal projection profile, searched coarse then fine within +-MAX_SKEW_DEGREES."""
    small = image.reduce(4)
    ink = Image.fromarray(((np.asarray(small) < 160) * 255).astype(np.uint8))
    if np.asarray(ink).mean() < 0.5:  # blank: nothing to straighten
        return 0.0

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=0),
                          dtype=np.float64).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.01, 0.5)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    best = max(fine, key=sharpness)
    return 0.0 if abs(best) < DESKEW_BELOW_DEGREES else round(float(best), 2)


def detect_orientation(image: Image.Image, dpi: int) -> int:
    """Degrees counter-clockwise (0, 90, 180, 270) that turn the page upright, per Tesseract OSD."""
    out = _tesseract(image, dpi, ["--psm", "0"], check=False, lang="osd")  # OSD fails with -l eng
    rotate = _OSD_ROTATE.search(out)
    confidence = _OSD_CONFIDENCE.search(out)
    if not rotate or not confidence or float(confidence.group(1)) < 1.0:
        return 0
    clockwise = int(rotate.group(1)) % 360
    return (360 - clockwise) % 360


def run_tesseract(image: Image.Image, dpi: int, psm: int = 3) -> list[OcrWord]:
    """Words of an upright page image, in Tesseract's reading order, boxes in PDF points (`psm` 3:
    find the layout, 6: one block of text, as in a crop)."""
    tsv = _tesseract(image, dpi, ["--psm", str(psm), *TESSERACT_OPTIONS, "tsv"])
    scale = 72.0 / dpi
    words = []
    for line in tsv.splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        confidence = float(cols[10])
        if not text or (confidence < DROP_CONFIDENCE and not any(ch.isalnum() for ch in text)):
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        box = (left * scale, top * scale, (left + width) * scale, (top + height) * scale)
        line_id = (int(cols[2]), int(cols[3]), int(cols[4]))
        words.append(OcrWord(text=text, box=box, confidence=confidence, line=line_id))
    return words


def _tesseract(image: Image.Image, dpi: int, args: list[str], check: bool = True, lang: str = "eng") -> str:
    command = tesseract_command()
    if command is None:
        raise OcrUnavailable("tesseract is not installed")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="chartsift-ocr-") as tmp:
        path = os.path.join(tmp, "page.pgm")
        image.save(path, format="PPM")  # uncompressed PGM: no PNG encoding cost
        proc = subprocess.run([command, path, "stdout", "--dpi", str(dpi), "-l", lang, *args],
                              capture_output=True, env=env, check=False, timeout=TESSERACT_TIMEOUT_S)
    if check and proc.returncode != 0:
        raise OcrUnavailable(f"tesseract exited with status {proc.returncode}")
    return proc.stdout.decode("utf-8", "replace") + ("" if check else proc.stderr.decode("utf-8", "replace"))


def unrotate_boxes(boxes: np.ndarray, reading: PageReading) -> np.ndarray:
    """Boxes (x0, top, x1, bottom, points) read on the turned image -> axis-aligned boxes on the page
    as rendered (the bounds of each turned rectangle). NaN rows stay NaN."""
    if abs(reading.angle) < 1e-6 or not len(boxes):
        return boxes
    px = reading.dpi / 72.0
    w, h = reading.size
    theta = math.radians(reading.angle)
    cos, sin = math.cos(theta), math.sin(theta)
    new_w = abs(w * cos) + abs(h * sin)
    new_h = abs(w * sin) + abs(h * cos)
    xs = boxes[:, [0, 2, 2, 0]] * px - new_w / 2
    ys = boxes[:, [1, 1, 3, 3]] * px - new_h / 2
    # PIL turns the image counter-clockwise on screen (y down): undo it
    ox = cos * xs - sin * ys + w / 2
    oy = sin * xs + cos * ys + h / 2
    out = np.stack([ox.min(axis=1), oy.min(axis=1), ox.max(axis=1), oy.max(axis=1)], axis=1) / px
    return out.astype(np.float32)
