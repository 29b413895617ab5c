"""Real text robustness and throughput: every MTSamples note through `chartsift.review`.

Reads ../shared/data/mtsamples/mtsamples.csv (never copied into the repo; MTSamples, credit
https://www.mtsamples.com), reviews each transcription as a one-document case, and prints
notes/s, the number of errors (an exception is an error; a coded document error is counted
apart), and counts of facts per type. `--dump FILE` writes the smoking and provocative-test
facts with their quotes as JSON lines, for reading by hand.

    .venv/bin/python benchmarks/real_notes.py [--limit N] [--dump out.jsonl]
"""
from __future__ import annotations

import argparse
import collections
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"


def rows(limit: int | None):
    csv.field_size_limit(sys.maxsize)
    with DATA.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if limit is not None and i >= limit:
                return
            yield i, row["transcription"] or ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N notes")
    parser.add_argument("--dump", type=Path, help="write smoking/provocative facts with quotes here (JSON lines)")
    args = parser.parse_args()

    from chartsift.api import review
    from extractor.nlp.pipeline import get_nlp

    get_nlp()  # build once, outside the timing
    counts: collections.Counter[str] = collections.Counter()
    errors, coded, seconds = [], 0, []
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    with tempfile.TemporaryDirectory() as tmp:
        note = Path(tmp) / "note.txt"
        for i, text in rows(args.limit):
            note.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            try:
                result = review([note], case_id=f"mts-{i}")
            except Exception as exc:  # noqa: BLE001 - counting every failure is the point
                errors.append((i, type(exc).__name__))
                continue
            finally:
                seconds.append(time.perf_counter() - t0)
            coded += len(result.errors)
            counts.update(f.type for f in result.facts)
            if dump:
                for f in result.facts:
                    if f.type in ("smoking_status", "provocative_test"):
                        dump.write(json.dumps({"row": i, "fact": f.model_dump(mode="json", exclude={"evidence"}),
                                               "quotes": [e.text for e in f.evidence]}) + "\n")
    if dump:
        dump.close()
    n = len(seconds)
    print(f"notes: {n}  errors (exceptions): {len(errors)}  coded document errors: {coded}")
    print(f"notes/s: {n / sum(seconds):.1f}  median s/note: {statistics.median(seconds):.3f}  "
          f"p95 s/note: {sorted(seconds)[int(0.95 * (n - 1))]:.3f}")
    for kind, count in sorted(counts.items()):
        print(f"  {kind:<24} {count}")
    for i, name in errors[:20]:
        print(f"  error in row {i}: {name}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
