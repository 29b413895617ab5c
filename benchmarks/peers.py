"""chartsift next to the chain a user would assemble from the same libraries, on the same packets.

Three pipelines over the same packets, in one process, warm (every model and rules file loaded
before timing), alternating within each repeat (the order rotates from repeat to repeat, so a
slow spell of the shared machine hits all three):

  (a) pdfplumber page text (`page.extract_text()`) + `medspacy.load()`'s default pipeline
      (PyRuSH sentences, target matcher, ConText; no model to download), `nlp(text)` once per page;
  (b) pypdfium2 page text (`get_textpage().get_text_range()`) + the same `nlp`, once per page;
  (c) chartsift's full review: `chartsift.api.review(case folder)`.

`--nlp-unit document` gives (a) and (b) one `nlp(text)` per packet (its pages joined) instead.
Two packet sets, both made by benchmarks/screen.py's `make_packets` from the corpus notes
corpora/sij/*/*.txt: dense packets (`dense=True`: paragraphs reflowed to full-width lines, notes
run on without page breaks, ~4,200 characters a page) and the corpus-like packets of screen.py
(10-60 pages, ~1,500 characters a page). Prints, per set, pages/s (wall clock and per CPU-second)
of each pipeline as the median and range over --repeat, and chartsift's ratio to (a) (per repeat,
then median and range). Then the CLI's start to first output for a one-page text note:
`chartsift review NOTE.txt --json` in a fresh process, median and range of --cli-runs.

    .venv/bin/python benchmarks/peers.py --dense 1 --corpus 2 --repeat 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

PIPELINES = ("a pdfplumber+medspacy", "b pypdfium2+medspacy", "c chartsift review")


def packet_sets(work: Path, dense: int, dense_pages: int, corpus: int) -> dict[str, list[Path]]:
    """The case folders of each set, made by screen.make_packets (made afresh on every run)."""
    import shutil

    import screen

    sets = {}
    for name, n, kwargs in (("dense", dense, {"pages": (dense_pages, dense_pages), "dense": True}),
                            ("corpus", corpus, {})):
        if n:
            shutil.rmtree(work / name, ignore_errors=True)
            cases = screen.make_packets(work / name, n, **kwargs)
            sets[name] = sorted(p for p in cases.iterdir() if p.is_dir())
    return sets


def chains(nlp, unit: str) -> dict[str, Callable[[Path], int]]:
    """Each pipeline as a function of a case folder that returns the pages it read."""
    import pdfplumber
    import pypdfium2 as pdfium

    from chartsift.api import review

    def run_nlp(texts: list[str]) -> None:
        for text in texts if unit == "page" else ["\n".join(texts)]:
            nlp(text)

    def plumber(folder: Path) -> int:
        with pdfplumber.open(folder / "packet.pdf") as pdf:
            texts = [page.extract_text() or "" for page in pdf.pages]
        run_nlp(texts)
        return len(texts)

    def pdfium_chain(folder: Path) -> int:
        pdf = pdfium.PdfDocument(str(folder / "packet.pdf"))
        texts = [page.get_textpage().get_text_range() for page in pdf]
        pdf.close()
        run_nlp(texts)
        return len(texts)

    def chartsift_review(folder: Path) -> int:
        return sum(d.pages for d in review(folder).documents)

    return dict(zip(PIPELINES, (plumber, pdfium_chain, chartsift_review), strict=True))


def timed(fn: Callable[[Path], int], folders: list[Path]) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    pages = sum(fn(folder) for folder in folders)
    return {"wall": pages / (time.perf_counter() - wall), "cpu": pages / (time.process_time() - cpu)}


def spread(values: list[float], fmt: str = ".1f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def compare(sets: dict[str, list[Path]], repeat: int, unit: str) -> None:
    import medspacy
    import pypdfium2 as pdfium
    from loguru import logger

    nlp = medspacy.load()
    # PyRuSH logs every sentence boundary at DEBUG to stderr (tokens of the note): silenced, as a user
    # would and as chartsift does, or (a) and (b) would be timing the log writes
    logger.disable("PyRuSH")
    logger.disable("medspacy")
    runs = chains(nlp, unit)
    smallest = min((f for folders in sets.values() for f in folders), key=lambda f: (f / "packet.pdf").stat().st_size)
    for fn in runs.values():  # warm-up: every library imported, the nlp and chartsift's rules loaded
        fn(smallest)
    rates: dict[str, dict[str, list[dict]]] = {s: {p: [] for p in PIPELINES} for s in sets}
    for r in range(repeat):
        for name, folders in sets.items():
            for p in PIPELINES[r % 3:] + PIPELINES[:r % 3]:
                rates[name][p].append(timed(runs[p], folders))
    print(f"medspacy {medspacy.__version__} default pipeline {nlp.pipe_names}, nlp(text) once per {unit}; "
          f"median (range) of {repeat} repeats; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for name, folders in sets.items():
        texts = [page.get_textpage().get_text_range() for f in folders for page in pdfium.PdfDocument(str(f / "packet.pdf"))]
        print(f"\n{name}: {len(folders)} packets, {len(texts)} pages, {sum(map(len, texts)) / len(texts):,.0f} "
              f"characters a page (pypdfium2)")
        for p in PIPELINES:
            print(f"  {p:<22} {spread([x['wall'] for x in rates[name][p]]):>20} pages/s wall   "
                  f"{spread([x['cpu'] for x in rates[name][p]]):>20} per CPU-second")
        for key, label in (("wall", "wall"), ("cpu", "CPU")):
            ratio = [c[key] / a[key] for a, c in zip(rates[name][PIPELINES[0]], rates[name][PIPELINES[2]], strict=True)]
            print(f"  chartsift / (a), {label}: {spread(ratio, '.2f')}x")


def cli_start(work: Path, runs: int) -> None:
    """Wall seconds from starting `chartsift review NOTE.txt --json` to its first byte on stdout, and to its exit."""
    import screen

    note = next(n for n in screen.corpus_notes() if screen._estimated_pages(n) == 1)
    path = work / "note.txt"
    path.write_text(note, encoding="utf-8")
    script = Path(sys.executable).parent / "chartsift"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "chartsift.cli"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(REPO), os.environ.get("PYTHONPATH"))))}
    first, total = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([*command, "review", str(path), "--json"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=work, env=env)
        proc.stdout.read(1)
        first.append(time.perf_counter() - start)
        proc.stdout.read()
        if proc.wait():
            raise SystemExit(f"{' '.join(command)} review exited {proc.returncode}")
        total.append(time.perf_counter() - start)
    print(f"\nCLI `chartsift review NOTE.txt --json` ({len(note):,}-character one-page note), {runs} fresh processes: "
          f"first output {spread(first, '.2f')} s, exit {spread(total, '.2f')} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dense", type=int, default=1, help="dense packets (0: none)")
    parser.add_argument("--dense-pages", type=int, default=30, help="about how many pages a dense packet has")
    parser.add_argument("--corpus", type=int, default=2, help="corpus-like packets of screen.py (0: none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nlp-unit", choices=("page", "document"), default="page")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of the CLI start (0: skip)")
    parser.add_argument("--work", default="/tmp/chartsift-bench-peers")
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    sets = packet_sets(work, args.dense, args.dense_pages, args.corpus)
    if sets:
        compare(sets, args.repeat, args.nlp_unit)
    if args.cli_runs:
        cli_start(work, args.cli_runs)


if __name__ == "__main__":
    main()
