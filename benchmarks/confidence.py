"""What the confidence costs per case: `score_review` timed alone on the reviews of a corpus.

Reviews every case of the corpora once (not timed), then scores each review's confidence --repeat
times (a deep copy each time, so every pass does the full work) and prints the median, p90 and max
milliseconds per case of CPU time (time.process_time), and the median as a share of the review's own
CPU time. Issue 16's budget: <= 1 ms per case.

    .venv/bin/python benchmarks/confidence.py [--repeat 20] [CORPUS ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chartsift.api import review
from chartsift.evaluation.corpus import load_corpus
from evaluator.confidence import load_model, score_review


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpora", nargs="*", type=Path,
                    default=[REPO / "corpora" / "sij_final_a", REPO / "corpora" / "sij_hospital"])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    load_model()
    results, review_ms = [], []
    for corpus in args.corpora:
        for case in load_corpus(corpus):
            t = time.process_time()
            results.append(review(case.case_dir, request=case.request, case_id=case.case_id))
            review_ms.append((time.process_time() - t) * 1000)
    per_case = []
    for r in results:
        copies = [r.model_copy(deep=True) for _ in range(args.repeat)]
        t = time.process_time()
        for c in copies:
            score_review(c)
        per_case.append((time.process_time() - t) * 1000 / args.repeat)
    per_case.sort()
    med = statistics.median(per_case)
    print(f"cases {len(results)}, facts/case median {statistics.median(len(r.facts) for r in results):.0f}, "
          f"determinations/case median {statistics.median(len(r.determinations) for r in results):.0f}")
    print(f"confidence CPU ms per case: median {med:.3f}, p90 {per_case[int(0.9 * (len(per_case) - 1))]:.3f}, "
          f"max {per_case[-1]:.3f}")
    print(f"review CPU ms per case (median): {statistics.median(review_ms):.1f}; "
          f"confidence share {med / statistics.median(review_ms):.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
