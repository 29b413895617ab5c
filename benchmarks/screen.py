"""Benchmark of `chartsift screen`: end-to-end throughput next to the floors of its two halves.

Generates N realistic packets (10-60 pages each, rendered from the corpus notes
corpora/sij/*/*.txt with chartsift.packet.render_packet), screens them with 1 and 2 workers, and
prints cases/s, pages/s, seconds per 30-page case, the 1 -> 2 worker scaling and the peak RSS per
worker, next to the floors measured in the same run over the same text: pypdfium2 text extraction
alone and the medspaCy `nlp.pipe` alone (extractor.nlp.pipeline.get_nlp()). Then one 1,000-page packet
through one worker for its peak RSS. Medians over --repeat runs.

    .venv/bin/python benchmarks/screen.py --cases 40 --repeat 3
    .venv/bin/python benchmarks/screen.py --kill-test 500      # the 500-case batch + kill -9 at 5 points
    .venv/bin/python benchmarks/screen.py --hostile 50         # 50 good cases + hostile PDFs
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Self

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REQUEST = {"cpt": "27279", "side": "left", "date": "2026-05-04", "icd10": ["M46.1"]}


def corpus_notes() -> list[str]:
    notes = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpora" / "sij").glob("*/*.txt"))]
    if not notes:
        raise SystemExit("no corpus notes under corpora/sij/*/*.txt")
    return notes


def _estimated_pages(text: str, chars_per_line: int = 100, lines_per_page: int = 48) -> int:
    lines = sum(max(1, -(-len(line) // chars_per_line)) for line in text.splitlines())
    return max(1, -(-lines // lines_per_page))


def reflowed(note: str) -> str:
    """`note` with each paragraph (lines between blank lines) joined into one line, blank lines dropped."""
    paragraphs = (" ".join(line.strip() for line in block.splitlines() if line.strip()) for block in note.split("\n\n"))
    return "\n".join(p for p in paragraphs if p)


def make_packets(root: Path, n: int, seed: int = 13, pages: tuple[int, int] = (10, 60), dense: bool = False) -> Path:
    """`n` case folders, each one packet.pdf of about `pages` pages and a case.json.

    Each document of a packet (starting on a new page, as a faxed packet's notes do) joins two to
    five corpus notes, so pages are about as dense as a real office note (~1,500 characters a page).
    `dense`: the same notes packed tighter, as a hospital print-out is: each paragraph reflowed into
    full-width lines (`reflowed`) and the whole packet one document, the notes running on without a
    page break, ~4,200 characters a page.
    """
    from chartsift.packet import render_packet

    notes, rng = corpus_notes(), random.Random(seed)
    cases = root / "cases"
    for i in range(n):
        folder = cases / f"BENCH-{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        target, packet, estimate = rng.randint(*pages), [], 0
        while estimate < target:
            chosen = [rng.choice(notes) for _ in range(rng.randint(2, 5))]
            packet.append("\n".join(map(reflowed, chosen)) if dense else "\n\n".join(chosen))
            estimate = _estimated_pages("\n".join(packet)) if dense else estimate + _estimated_pages(packet[-1])
        render_packet(["\n".join(packet)] if dense else packet, folder / "packet.pdf")
        (folder / "case.json").write_text(json.dumps({"case_id": folder.name, "request": REQUEST,
                                                      "documents": ["packet.pdf"]}))
    return cases


def pdfium_floor(pdfs: list[Path]) -> tuple[dict, list[str]]:
    """Pages/s (wall and CPU) of pypdfium2 text extraction alone; returns the page texts too."""
    import pypdfium2 as pdfium

    texts: list[str] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for path in pdfs:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            texts.append(page.get_textpage().get_text_range())
        pdf.close()
    return _rates(len(texts), wall, cpu), texts


def nlp_floor(texts: list[str]) -> dict:
    """Pages/s (wall and CPU) of the project's medspaCy nlp over page texts (nlp built before timing)."""
    from extractor.nlp.pipeline import get_nlp

    nlp = get_nlp()
    list(nlp.pipe(texts[:5]))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=16):
        pass
    return _rates(len(texts), wall, cpu)


def _rates(pages: int, wall: float, cpu: float) -> dict:
    return {"wall": pages / (time.perf_counter() - wall), "cpu": pages / (time.process_time() - cpu)}


class ChildPeakRss:
    """Samples the peak RSS (VmHWM) of this process's children, so a case killed on timeout still counts."""

    def __init__(self, interval: float = 0.5):
        import threading

        self.peak_kb, self.interval, self._stop = 0, interval, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import os

        me = str(os.getpid())
        while not self._stop.wait(self.interval):
            for proc in Path("/proc").iterdir():
                try:
                    status = (proc / "status").read_text() if proc.name.isdigit() else ""
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
                    self.peak_kb = max(self.peak_kb, int(fields["VmHWM"].split()[0]))


def run_screen(cases: Path, out: Path, workers: int, timeout: float = 600) -> dict:
    from chartsift.screen import screen

    shutil.rmtree(out, ignore_errors=True)
    start, parent_cpu = time.perf_counter(), time.process_time()
    with ChildPeakRss() as sampler:
        report = screen(cases, out, workers=workers, timeout=timeout)
    wall, parent_cpu = time.perf_counter() - start, time.process_time() - parent_cpu
    import sqlite3

    with sqlite3.connect(out / "ledger.sqlite") as db:
        per_case = db.execute("SELECT seconds, pages FROM cases WHERE status = 'done' AND pages > 0").fetchall()
        cpu = db.execute("SELECT sum(cpu_seconds) FROM cases WHERE status = 'done'").fetchone()[0] or 0.0
    busy = sum(s for s, _ in per_case)
    return {"workers": workers, "cases": report.reviewed, "errors": report.errors, "pages": report.pages,
            "wall_s": wall, "cases_per_s": report.reviewed / wall, "pages_per_s": report.pages / wall,
            # steady state: pages over the workers' busy time (leaves out worker start-up)
            "busy_pages_per_s": report.pages / (busy / workers) if busy else 0.0,
            "s_per_30_pages": statistics.median(30 * s / p for s, p in per_case) if per_case else 0.0,
            "peak_rss_mb": max([*report.peak_rss_kb.values(), sampler.peak_kb]) / 1024,
            # per-core rate from the workers' CPU time: what an idle core gives, whatever the load
            "cpu_pages_per_s": report.pages / cpu if cpu else 0.0, "parent_cpu_s": parent_cpu}


def big_packet_rss(root: Path, pages: int, timeout: float) -> dict:
    cases = root / "big"
    shutil.rmtree(cases, ignore_errors=True)
    make_packets(root / "bigsrc", 1, seed=99, pages=(pages, pages))
    shutil.move(str(root / "bigsrc" / "cases"), str(cases))
    result = run_screen(cases, root / "big-out", 1, timeout=timeout)
    import pypdfium2 as pdfium

    return {"pages": len(pdfium.PdfDocument(str(next(cases.glob("*/packet.pdf"))))), "seconds": result["wall_s"],
            "peak_rss_mb": result["peak_rss_mb"],
            "outcome": (root / "big-out" / "errors.csv").read_text().splitlines()[1:] or ["reviewed"]}


def median_of(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) if isinstance(runs[0][k], (int, float)) else runs[0][k]
            for k in runs[0]}


def benchmark(args: argparse.Namespace) -> None:
    root = Path(args.work)
    shutil.rmtree(root / "cases", ignore_errors=True)
    cases = make_packets(root, args.cases)
    pdfs = sorted(cases.glob("*/packet.pdf"))
    extract, texts = pdfium_floor(pdfs)
    nlp = nlp_floor(texts)
    print(f"{len(pdfs)} packets, {len(texts)} pages ({len(texts) / len(pdfs):.1f} per packet); load average "
          f"{' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    for name, rate in (("pypdfium2 text alone", extract), ("medspaCy nlp.pipe alone", nlp)):
        print(f"floor  {name:<24} {rate['wall']:7.1f} pages/s wall, {rate['cpu']:7.1f} per CPU-second "
              f"({30 / rate['wall']:.2f} s per 30 pages)")
    floor_30 = 30 / extract["wall"] + 30 / nlp["wall"]
    floor_30_cpu = 30 / extract["cpu"] + 30 / nlp["cpu"]
    print(f"floor  sum of both               {floor_30:.2f} s per 30 pages wall, {floor_30_cpu:.2f} CPU-s")
    results = {}
    for workers in args.workers:
        results[workers] = median_of([run_screen(cases, root / f"out-{workers}", workers) for _ in range(args.repeat)])
        r = results[workers]
        print(f"screen {workers} worker(s): {r['cases_per_s']:.2f} cases/s, {r['pages_per_s']:.1f} pages/s wall "
              f"({r['busy_pages_per_s']:.1f} steady, {r['cpu_pages_per_s']:.1f} per worker CPU-second), "
              f"{r['s_per_30_pages']:.2f} s per 30-page case ({r['s_per_30_pages'] / floor_30:.1f}x the floor sum), "
              f"peak RSS/worker {r['peak_rss_mb']:.0f} MB, parent CPU {r['parent_cpu_s']:.1f} s, "
              f"{r['errors']} errors, {r['wall_s']:.1f} s")
    if 1 in results and 2 in results:
        print(f"scaling 1 -> 2 workers: {results[2]['pages_per_s'] / results[1]['pages_per_s']:.2f}x wall, "
              f"{results[2]['busy_pages_per_s'] / results[1]['busy_pages_per_s']:.2f}x steady")
    if args.big_pages:
        big = big_packet_rss(root, args.big_pages, args.big_timeout)
        print(f"{big['pages']}-page packet, 1 worker: peak RSS {big['peak_rss_mb']:.0f} MB, {big['seconds']:.1f} s, "
              f"{'; '.join(big['outcome'])}")


def kill_test(args: argparse.Namespace) -> None:
    """The acceptance run: N cases, the parent killed by SIGKILL at 5 random points, rerun to the end."""
    import csv
    import signal
    import sqlite3
    import subprocess

    root = Path(args.work)
    shutil.rmtree(root / "cases", ignore_errors=True)
    cases = make_packets(root, args.kill_test, pages=(1, 3))
    out = root / "kill-out"
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "chartsift.cli", "screen", str(cases), "--out", str(out), "--workers", "2",
               "--quiet"]
    rng = random.Random(5)

    def done_rows() -> int:
        try:
            with sqlite3.connect(out / "ledger.sqlite") as db:
                return db.execute("SELECT count(*) FROM cases").fetchone()[0]
        except sqlite3.Error:
            return 0

    import os
    import uuid

    sys.path.insert(0, str(REPO / "tests"))
    from screen_helpers import live_pids_with_env

    marker = uuid.uuid4().hex
    env = {**os.environ, "SCREEN_KILL_MARKER": marker}
    for target in sorted(rng.sample(range(5, args.kill_test - 5), 5)):
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        while done_rows() < target and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(3)
        print(f"killed the parent with {done_rows()} cases in the ledger; "
              f"{len(live_pids_with_env(marker))} of its processes alive 3 s later")
    first = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, env=env)
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, env=env)
    print(f"processes left after the runs: {len(live_pids_with_env(marker))}")
    lines = (out / "results.jsonl").read_text().splitlines()
    ids = [json.loads(line)["case_id"] for line in lines]
    with sqlite3.connect(out / "ledger.sqlite") as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        reviewed_again = db.execute("SELECT reviewed FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    with (out / "summary.csv").open(newline="") as fh:
        summary = list(csv.DictReader(fh))
    with (out / "errors.csv").open(newline="") as fh:
        list(csv.DictReader(fh))
    from html.parser import HTMLParser

    class Links(HTMLParser):
        links = 0

        def handle_starttag(self, tag, attrs):
            self.links += tag == "a" and any(k == "href" and v.startswith("cases/") for k, v in attrs)

    parser = Links()
    parser.feed((out / "index.html").read_text())
    reports = len(list((out / "cases").glob("*.html")))
    print(f"index.html links {parser.links} case reports; {reports} report files")
    print(f"final run exit {first.returncode}; rerun exit {again.returncode}, reviewed {reviewed_again} cases")
    print(f"results.jsonl: {len(ids)} lines, {len(set(ids))} distinct (expected {args.kill_test}); "
          f"summary.csv {len(summary)} rows; integrity_check {integrity}")


def hostile_batch(args: argparse.Namespace) -> None:
    """N good cases plus the hostile PDFs of tests/screen_helpers.py: every case terminal, hostile ones
    coded within timeout + 5 s, good ones identical to a clean run of the good ones alone."""
    import csv

    sys.path.insert(0, str(REPO / "tests"))
    import screen_helpers

    from chartsift.screen import screen

    root = Path(args.work) / "hostile"
    shutil.rmtree(root, ignore_errors=True)
    good = make_packets(root / "good", args.hostile, pages=(2, 6))
    batch = root / "batch"
    shutil.copytree(good, batch)
    hostile = screen_helpers.hostile_files(batch)
    timeout = args.hostile_timeout
    report = screen(batch, root / "out", workers=2, timeout=timeout)
    clean = screen(good, root / "clean-out", workers=2, timeout=timeout)
    with (root / "out" / "summary.csv").open(newline="") as fh:
        rows = {r["case_id"]: r for r in csv.DictReader(fh)}
    for name in hostile:
        r = rows[name]
        codes = " ".join(filter(None, (r["error_code"], r["document_errors"], r["document_warnings"])))
        print(f"hostile {name:<10} {r['status']:<5} {codes or 'NO CODE':<28} {float(r['seconds']):6.2f} s "
              f"(limit {timeout + 5:g} s)")

    def by_case(out: Path) -> dict[str, str]:
        return {json.loads(line)["case_id"]: line for line in (out / "results.jsonl").read_text().splitlines()}

    mine, theirs = by_case(root / "out"), by_case(root / "clean-out")
    same = sum(mine.get(case) == line for case, line in theirs.items())
    print(f"{report.total} cases, all terminal: {len(rows) == report.total}; good cases identical to the clean run: "
          f"{same}/{len(theirs)} (clean run errors {clean.errors})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--big-pages", type=int, default=1000, help="pages of the RSS packet (0: skip)")
    parser.add_argument("--big-timeout", type=float, default=600, help="timeout of the big packet's case")
    parser.add_argument("--work", default="/tmp/chartsift-bench-screen")
    parser.add_argument("--kill-test", type=int, default=0, metavar="N", help="run the kill -9 acceptance batch instead")
    parser.add_argument("--hostile", type=int, default=0, metavar="N", help="run N good cases + hostile PDFs instead")
    parser.add_argument("--hostile-timeout", type=float, default=30)
    args = parser.parse_args()
    if args.kill_test:
        kill_test(args)
    elif args.hostile:
        hostile_batch(args)
    else:
        benchmark(args)


if __name__ == "__main__":
    main()
