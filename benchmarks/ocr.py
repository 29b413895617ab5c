"""OCR speed: seconds per page at 300 dpi, and OCR's share of a scanned case's review (prints numbers).

    python benchmarks/ocr.py [--pages 30] [--sample 3] [--workers N]

A dense `--pages` page packet (~3.4 k characters a page, `benchmarks/ingest.py`'s notes) is
rendered, then scanned as `chartsift evaluate --as-scan` does (200 dpi, 1-bit, skew, speckles,
fax header). Per page: `--sample` pages are read one after another in this process, with the
time split into rendering at 300 dpi and reading (despeckle, deskew, Tesseract with
OMP_THREAD_LIMIT=1). Per case: `chartsift.review` of the scanned packet with the OCR cache off,
and the seconds spent in OCR (reading pages, in parallel worker processes) against the whole;
then the same review again with a warm cache.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import dense_notes

from chartsift.evaluation.asscan import scan_pdf
from chartsift.packet import render_packet
from extractor.ingest import ocr, ocr_engine


def scanned_packet(folder: Path, pages: int) -> Path:
    render_packet(dense_notes(pages), folder / "typed.pdf", header="FAX  Page {page} of {pages}")
    scan_pdf((folder / "typed.pdf").read_bytes(), folder / "packet.pdf", np.random.default_rng(1))
    (folder / "typed.pdf").unlink()
    return folder / "packet.pdf"


def per_page(data: bytes, sample: int) -> None:
    render_s, read_s, cpu_s, confidences = [], [], [], []
    for index in range(sample):
        start = time.perf_counter()
        image = ocr_engine.render_page(data, index, ocr.OCR_DPI)
        mid = time.perf_counter()
        before = _cpu()
        reading = ocr_engine.read_image(image, ocr.OCR_DPI)
        cpu_s.append(_cpu() - before)
        end = time.perf_counter()
        render_s.append(mid - start)
        read_s.append(end - mid)
        confidences.append(reading.confidence or 0.0)
    total = [a + b for a, b in zip(render_s, read_s)]
    print(f"per page  {sample} pages at {ocr.OCR_DPI} dpi, one process: median {statistics.median(total):.2f} s/page "
          f"(render {statistics.median(render_s):.2f} s, read {statistics.median(read_s):.2f} s; "
          f"CPU time of the read {statistics.median(cpu_s):.2f} s, which machine load does not inflate), "
          f"mean confidence {statistics.mean(confidences):.1f}, load average {os.getloadavg()[0]:.1f}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def per_case(path: Path, pages: int) -> None:
    from chartsift.api import review

    spent: list[float] = []
    original = ocr.read_pages

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    ocr.read_pages = timed  # type: ignore[assignment]
    try:
        warm = path.with_name("warm-up.txt")
        warm.write_text(dense_notes(1)[0], encoding="utf-8")
        review([warm])  # warm-up: NLP pipeline and imports, no OCR
        spent.clear()
        start = time.perf_counter()
        result = review([path])
        total = time.perf_counter() - start
    finally:
        ocr.read_pages = original  # type: ignore[assignment]
    workers = ocr._worker_count(pages, None)
    print(f"per case  {pages} scanned pages, {workers} OCR worker process(es), load average "
          f"{os.getloadavg()[0]:.1f}: review {total:.1f} s, "
          f"OCR {sum(spent):.1f} s = {100 * sum(spent) / total:.0f}% of it, "
          f"{total / pages:.2f} s/page overall; {len(result.documents[0].ocr_pages)} pages OCR'd, "
          f"{len(result.facts)} facts")


def cached_case(path: Path, pages: int, cache: Path) -> None:
    from chartsift.api import review

    os.environ[ocr.CACHE_ENV] = str(cache)
    review([path])
    start = time.perf_counter()
    review([path])
    total = time.perf_counter() - start
    print(f"cached    the same review with every page in the OCR cache: {total:.1f} s ({total / pages:.2f} s/page)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--sample", type=int, default=3, help="pages timed one by one at 300 dpi")
    parser.add_argument("--workers", type=int, help="OCR worker processes (default: one per CPU)")
    args = parser.parse_args()
    if ocr_engine.tesseract_command() is None:
        print("tesseract is not installed (apt-get install tesseract-ocr)", file=sys.stderr)
        return 2
    if args.workers:
        os.environ[ocr.WORKERS_ENV] = str(args.workers)
    print(f"{ocr_engine.tesseract_version()}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="chartsift-ocr-bench-") as tmp:
        os.environ[ocr.CACHE_ENV] = "off"
        path = scanned_packet(Path(tmp), args.pages)
        per_page(path.read_bytes(), min(args.sample, args.pages))
        per_case(path, args.pages)
        cached_case(path, args.pages, Path(tmp) / "cache")
    return 0


if __name__ == "__main__":
    sys.exit(main())
