"""Page images rendered server-side with pypdfium2, cached on disk, and the bbox scaled onto them."""
from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from .errors import AppError

_LOCK = threading.Lock()  # pdfium is not thread-safe


@dataclass
class PageImage:
    path: Path
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float
    scale: float
    pages: int  # the document's page count (the viewer's next/previous page)


def page_image(pdf: Path, page: int, cache_dir: Path, scale: float) -> PageImage:
    """The PNG of 1-based `page` at `scale` pixels per point, rendered once and then read from the cache."""
    stem = f"{pdf.stem}-p{page}-s{scale:g}"
    png, meta = cache_dir / f"{stem}.png", cache_dir / f"{stem}.json"
    info = json.loads(meta.read_text()) if png.is_file() and meta.is_file() else {}
    if "pages" not in info:  # not rendered yet (or cached before the page count was kept)
        _render(pdf, page, scale, png, meta)
        info = json.loads(meta.read_text())
    return PageImage(png, info["w_px"], info["h_px"], info["w_pt"], info["h_pt"], scale, info["pages"])


def _render(pdf: Path, page: int, scale: float, png: Path, meta: Path) -> None:
    import pypdfium2 as pdfium

    with _LOCK:
        doc = pdfium.PdfDocument(str(pdf))
        try:
            if not 1 <= page <= len(doc):
                raise AppError(404, "not_found", "no such page")
            pages = len(doc)
            pdf_page = doc[page - 1]
            w_pt, h_pt = pdf_page.get_size()
            image = pdf_page.render(scale=scale).to_pil()
        finally:
            doc.close()
    tmp = png.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    image.save(tmp, format="PNG")
    os.replace(tmp, png)
    meta.write_text(json.dumps({"w_px": image.width, "h_px": image.height, "w_pt": w_pt, "h_pt": h_pt,
                                      "pages": pages}))


def box_pixels(bbox: tuple[float, float, float, float], image: PageImage) -> dict[str, float]:
    """`[x0, top, x1, bottom]` in PDF points (top-left origin) as CSS pixels on the page image."""
    x0, top, x1, bottom = bbox
    sx = image.width_px / image.width_pt if image.width_pt else image.scale
    sy = image.height_px / image.height_pt if image.height_pt else image.scale
    pad = 2.0
    return {"left": round(x0 * sx - pad, 1), "top": round(top * sy - pad, 1),
            "width": round((x1 - x0) * sx + 2 * pad, 1), "height": round((bottom - top) * sy + 2 * pad, 1)}


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if not raw:
        return None
    try:
        parts = tuple(float(p) for p in raw.split(","))
    except ValueError:
        raise AppError(422, "invalid_request", "bbox is x0,top,x1,bottom in points") from None
    if len(parts) != 4 or not all(0 <= p < 20000 for p in parts):
        raise AppError(422, "invalid_request", "bbox is x0,top,x1,bottom in points")
    return parts  # type: ignore[return-value]
