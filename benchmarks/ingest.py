"""Ingestion speed and memory of the two PDF backends (prints numbers; not a test).

    python benchmarks/ingest.py [--pages 30] [--repeat 5] [--memory-pages 300]

Speed: pages/s (median of `--repeat` runs) on a dense packet of `--pages` pages (~3.4 k
characters a page, as real chart pages), per backend. Memory: peak RSS of a fresh process
that ingests a `--memory-pages` page packet, per backend, next to the RSS of the same
process after imports only.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chartsift.packet import render_packet
from extractor.ingest.pdftext import BACKENDS
from extractor.ingest.reader import ingest

SENTENCES = [
    "The patient reports left buttock pain radiating to the posterior thigh, worse with sitting and stairs.",
    "FABER (+) L, Gaenslen's positive on the left, thigh thrust reproduces the familiar pain.",
    "She completed six weeks of physical therapy with a home exercise program and no lasting relief.",
    "Denies numbness, tingling, weakness, bowel or bladder change; no fever, chills or weight loss.",
    "Left sacroiliac joint injection under fluoroscopy with contrast gave 80% relief for four hours.",
    "Tobacco: former smoker, quit 2019, 20 pack-years; alcohol socially; no illicit drug use.",
    "MRI of the pelvis shows mild subchondral sclerosis of the left SI joint without erosions.",
]


def dense_notes(pages: int, chars_per_page: int = 3400) -> list[str]:
    notes = []
    for page in range(pages):
        lines = [f"PROGRESS NOTE\nDate of Service: {1 + page % 12:02d}/{1 + page % 28:02d}/2025"]
        size, i = 0, page
        while size < chars_per_page:
            sentence = SENTENCES[i % len(SENTENCES)]
            lines.append(sentence)
            size += len(sentence) + 1
            i += 3
        notes.append("\n".join(lines))
    return notes


def speed(path: Path, pages: int, repeat: int) -> None:
    """Median seconds per backend; runs alternate between backends so load spikes hit both alike."""
    times: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
    chars = {backend: len(ingest(path, backend=backend).text) for backend in BACKENDS}  # warm-up
    for _ in range(repeat):
        for backend in BACKENDS:
            start = time.perf_counter()
            ingest(path, backend=backend)
            times[backend].append(time.perf_counter() - start)
    for backend in BACKENDS:
        median = statistics.median(times[backend])
        sys.stdout.write(f"speed  {backend:<10} {pages} pages  median {median:.2f} s  {pages / median:.1f} pages/s  "
                         f"({chars[backend] / pages:.0f} chars/page)\n")


# VmHWM (the peak RSS of this process image): ru_maxrss would carry the parent's peak across exec
_CHILD = """
import sys
from extractor.ingest.reader import ingest

def hwm():
    return next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))

base = hwm()
doc = ingest(sys.argv[1], backend=sys.argv[2])
print(base, hwm())
"""


def memory(path: Path, pages: int) -> None:
    for backend in BACKENDS:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(path), backend], capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parents[1])
        base, peak = (int(v) / 1024 for v in out.stdout.split())
        sys.stdout.write(f"memory {backend:<10} {pages} pages  peak RSS {peak:.0f} MB "
                         f"(after imports {base:.0f} MB, ingestion adds {peak - base:.0f} MB)\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-pages", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dense = Path(tmp) / "dense.pdf"
        render_packet(dense_notes(args.pages), dense, header="FAX (555) 010-0100  Page {page} of {pages}")
        speed(dense, args.pages, args.repeat)
        if args.memory_pages:
            big = Path(tmp) / "big.pdf"
            render_packet(dense_notes(args.memory_pages), big, header="FAX (555) 010-0100  Page {page} of {pages}")
            memory(big, args.memory_pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
