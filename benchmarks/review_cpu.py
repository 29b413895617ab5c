"""CPU time per page of `chartsift.review`, stage by stage, in one process (robust to a busy machine).

Wall-clock pages/s (benchmarks/screen.py) moves with whatever else runs on the machine; the CPU
time of this process (time.process_time) moves much less, so it is the number to judge a change
of the hot path by. Generates the same packets as benchmarks/screen.py (seed 13, 10-60 pages,
rendered from corpora/sij notes), warms the nlp, then reviews every packet --repeat times and
prints the median CPU milliseconds per page of: ingest (PDF text + boxes), the fact stages
(segment, normalize, nlp, facts, relief linking, resolve), the rest of review (evaluation,
ReviewResult) and the JSON serialization; then the two floors of benchmarks/screen.py on the same
pages (pypdfium2 text alone, the project's nlp.pipe alone), measured alternately with the review,
and the review's CPU time as a multiple of their sum.

    .venv/bin/python benchmarks/review_cpu.py --cases 20 --repeat 3
    .venv/bin/python benchmarks/review_cpu.py --profile /tmp/review.prof   # cProfile of one pass
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

STAGES = ("ingest", "extract", "evaluate", "json")


def packets(work: Path, n: int) -> list[Path]:
    """The case folders of benchmarks/screen.py's generator, made once and reused."""
    import screen

    cases = work / "cases"
    if len(list(cases.glob("*/packet.pdf"))) != n:
        import shutil

        shutil.rmtree(cases, ignore_errors=True)
        screen.make_packets(work, n)
    return sorted(p for p in cases.iterdir() if p.is_dir())


def one_pass(folders: list[Path]) -> tuple[dict[str, float], int]:
    """CPU seconds per stage over every packet, and the pages read."""
    from chartsift import api
    from extractor import case as stages

    spent = dict.fromkeys(STAGES, 0.0)

    def timed(stage, fn):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.process_time() - start
        return wrapper

    pages, saved = 0, (stages._ingest_all, stages.extract_case)
    stages._ingest_all, stages.extract_case = timed("ingest", stages._ingest_all), timed("extract", stages.extract_case)
    try:
        for folder in folders:
            start = time.process_time()
            result = api.review(folder)
            spent["evaluate"] += time.process_time() - start
            result.model_dump_json()
            spent["json"] += time.process_time() - start
            pages += sum(d.pages for d in result.documents)
    finally:
        stages._ingest_all, stages.extract_case = saved
    spent["json"] -= spent["evaluate"]  # review() + JSON minus review()
    spent["evaluate"] -= spent["ingest"] + spent["extract"]  # what review() spends besides the two stages
    return spent, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default="/tmp/chartsift-bench-cpu")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of one pass instead of timing")
    args = parser.parse_args()
    folders = packets(Path(args.work), args.cases)
    from chartsift.api import review

    review(folders[0])  # builds the nlp and loads every rules and policy file
    if args.profile:
        import cProfile

        cProfile.runctx("one_pass(folders)", globals(), {"folders": folders}, args.profile)
        return
    runs, floors = [], []
    for _ in range(args.repeat):  # review and floors alternate, so a slow spell of the machine hits both
        runs.append(one_pass(folders))
        floors.append(floor_pass(folders))
    pages = runs[0][1]
    per_page = {stage: statistics.median(r[0][stage] for r in runs) / pages * 1000 for stage in STAGES}
    total = sum(per_page.values())
    import os

    print(f"{len(folders)} packets, {pages} pages, median of {args.repeat}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("  ".join(f"{stage} {ms:.2f}" for stage, ms in per_page.items()) + f"  total {total:.2f} CPU ms/page"
          f" ({1000 / total:.1f} pages per CPU-second)")
    text_ms, nlp_ms = (statistics.median(f[k] for f in floors) for k in (0, 1))
    print(f"floors on the same pages: pypdfium2 text {text_ms:.2f} + nlp.pipe {nlp_ms:.2f} = {text_ms + nlp_ms:.2f} "
          f"CPU ms/page; the review is {total / (text_ms + nlp_ms):.2f}x their sum")


def floor_pass(folders: list[Path]) -> tuple[float, float]:
    """CPU ms per page of the two floors of benchmarks/screen.py over the same packets (its own
    `pdfium_floor` and `nlp_floor`): pypdfium2 text extraction alone, the project's nlp.pipe alone."""
    import screen

    text, texts = screen.pdfium_floor([folder / "packet.pdf" for folder in folders])
    return 1000 / text["cpu"], 1000 / screen.nlp_floor(texts)["cpu"]


if __name__ == "__main__":
    main()
