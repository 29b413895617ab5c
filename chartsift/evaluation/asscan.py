"""`--as-scan`: the same corpus case as a faxed, scanned packet with no text layer, so OCR is scored.

Each case's text notes become one packet (`chartsift.packet.render_packet`, as `--as-pdf` does),
every page is rasterized at 200 dpi, skewed slightly, speckled, stamped with a fax-machine header
line and turned to 1-bit, and the page images are wrapped into an image-only PDF (Pillow). The
degradation is seeded by the case id, so a corpus run is reproducible. PDF documents of a case
are rasterized the same way.
"""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models import CaseRequest

from .aspdf import FAX_HEADER, PACKET_NAME
from .corpus import CASE_FILE, CorpusCase

SCAN_DPI = 200
MAX_SKEW_DEGREES = 1.2
SPECKLE_SHARE = 0.0015  # share of pixels flipped to black (dust, line noise)
THRESHOLD = 150  # gray level under which a pixel prints black on the 1-bit fax
FAX_MACHINE_LINE = "{stamp}  FROM: RIVERSIDE SPINE  555-0100      #{job:04d}  P.{page:03d}/{pages:03d}"


def case_as_scan(case: CorpusCase, out_dir: Path) -> dict[str, str]:
    """Write the case as a case folder at `out_dir` holding image-only PDFs; returns gold name -> new name."""
    from chartsift.packet import render_packet  # fpdf2 loads on use: `import chartsift` stays light

    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [name for name in case.documents if not name.lower().endswith(".pdf")]
    pdfs = [name for name in case.documents if name.lower().endswith(".pdf")]
    rng = np.random.default_rng(int(hashlib.sha256(case.case_id.encode()).hexdigest()[:8], 16))
    rename: dict[str, str] = {}
    documents: list[str] = []
    if texts:
        notes = [(case.case_dir / name).read_text(encoding="utf-8") for name in texts]
        with tempfile.TemporaryDirectory(prefix="chartsift-scan-") as tmp:
            packet = Path(tmp) / PACKET_NAME
            render_packet(notes, packet, header=FAX_HEADER)
            scan_pdf(packet.read_bytes(), out_dir / PACKET_NAME, rng)
        rename.update({name: PACKET_NAME for name in texts})
        documents.append(PACKET_NAME)
    for name in pdfs:
        scan_pdf((case.case_dir / name).read_bytes(), out_dir / name, rng)
        documents.append(name)
    spec = CaseRequest(case_id=case.case_id, request=case.request, documents=documents)
    (out_dir / CASE_FILE).write_text(spec.model_dump_json(exclude_none=True), encoding="utf-8")
    return rename


def scan_pdf(pdf_bytes: bytes, target: Path, rng: np.random.Generator, dpi: int = SCAN_DPI) -> None:
    """Rasterize every page of a PDF and write the fax-like page images as an image-only PDF."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        images = []
        job = int(rng.integers(1000, 9999))
        for index in range(len(pdf)):
            page = pdf[index]
            bitmap = page.render(scale=dpi / 72.0, grayscale=True)
            images.append(bitmap.to_pil().convert("L"))
            bitmap.close()
            page.close()
    finally:
        pdf.close()
    faxed = [fax_page(image, rng, header=FAX_MACHINE_LINE.format(stamp="NOV-27-2026 09:14", job=job,
                                                                 page=i + 1, pages=len(images)))
             for i, image in enumerate(images)]
    faxed[0].save(target, format="PDF", save_all=True, append_images=faxed[1:], resolution=float(dpi))


def fax_page(image: Image.Image, rng: np.random.Generator, header: str | None = None,
             skew: float | None = None) -> Image.Image:
    """One page as a fax receives it: header line, slight skew, speckles, 1-bit."""
    page = image.convert("L")
    if header:
        draw = ImageDraw.Draw(page)
        draw.text((int(page.width * 0.04), 6), header, fill=0, font=_font(max(14, page.height // 110)))
    angle = float(rng.uniform(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES)) if skew is None else skew
    page = page.rotate(angle, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=255)
    pixels = np.asarray(page) < THRESHOLD
    pixels |= rng.random(pixels.shape) < SPECKLE_SHARE
    return Image.fromarray(~pixels).convert("1")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: the small bitmap font
        return ImageFont.load_default()
