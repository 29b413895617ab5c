"""A random sample of MTSamples smoking / SIJ provocative-test results, for reading by hand.

Reads ../shared/data/mtsamples/mtsamples.csv in place (never copied into the repo; MTSamples,
credit https://www.mtsamples.com). Notes with the same text are read once. Draws notes that
mention tobacco (or an SIJ provocative test), reviews each one as a one-document case with
`chartsift.api.review`, and prints per note the facts of that type with their quotes, then the
note's sentences on the topic, so a reader can judge each result. Notes that mention tobacco
but give no fact are printed too (a miss or a right silence: "PPD negative", "no smoking in
the home"). Provocative-test notes are shown only when they give a fact.

    .venv/bin/python benchmarks/real_notes_handread.py --seed 23 --smoking 27 --provocative 3 [--skip 1,2]
"""
from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"
TOPICS = {
    "smoking_status": re.compile(r"\b(?:smok\w*|tobacco|cigarettes?|ppd|pack-years?)\b", re.IGNORECASE),
    "provocative_test": re.compile(r"\b(?:FABER|Patrick'?s?|Gaenslen\w*|thigh\s+thrust|sacroiliac|SI\s+joint|"
                                   r"compression|distraction)\b", re.IGNORECASE),
}
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
FACT_FIELDS = ("status", "assertion", "quit_date", "pack_years", "test", "side", "result")


def distinct_notes(skip: set[int]) -> list[tuple[int, str]]:
    csv.field_size_limit(sys.maxsize)
    seen: set[str] = set()
    out = []
    with DATA.open(newline="", encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            text = (row["transcription"] or "").strip()
            if text and text not in seen and i not in skip:
                seen.add(text)
                out.append((i, text))
    return out


def review_note(row: int, text: str, kind: str) -> list:
    from chartsift.api import review

    with tempfile.TemporaryDirectory() as tmp:
        note = Path(tmp) / "note.txt"
        note.write_text(text, encoding="utf-8")
        return [f for f in review([note], case_id=f"mts-{row}").facts if f.type == kind]


def show(number: int, row: int, kind: str, facts: list, text: str) -> None:
    print(f"=== #{number} row {row} {kind}")
    for fact in facts:
        values = {k: v for k, v in fact.model_dump(mode="json").items() if k in FACT_FIELDS}
        print("  FACT", values, "|", [e.text for e in fact.evidence])
    for sentence in SENTENCE.split(text):
        if TOPICS[kind].search(sentence):
            print("  text:", sentence.strip()[:300])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--smoking", type=int, default=27, help="smoking notes to show")
    parser.add_argument("--provocative", type=int, default=3, help="provocative-test notes with a fact to show")
    parser.add_argument("--skip", default="", help="comma-separated CSV rows already read")
    args = parser.parse_args()
    skip = {int(x) for x in args.skip.split(",") if x}
    notes = distinct_notes(skip)
    rng = random.Random(args.seed)
    number = 0
    for kind, want in (("smoking_status", args.smoking), ("provocative_test", args.provocative)):
        pool = [n for n in notes if TOPICS[kind].search(n[1])]
        shown = 0
        for row, text in rng.sample(pool, len(pool)):
            if shown >= want:
                break
            facts = review_note(row, text, kind)
            if kind == "provocative_test" and not facts:
                continue
            shown += 1
            number += 1
            show(number, row, kind, facts, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
