#!/usr/bin/env python3
"""Draw the real-note development corpus `corpora/mtsamples_dev/` from MTSamples (stdlib only).

One case folder per note, `MT-<row>` after the note's 0-based CSV row, holding the transcription
verbatim as `note.txt` and a `case.json` without a request (MTSamples notes carry no request); the folder name is the row.
Gold (`gold.json`) is written by annotators, never by this script, which leaves it alone.

Which notes: distinct transcriptions (the first row carrying each), never one listed in
`RESERVED_ROWS.txt` nor any row whose transcription equals a reserved one (those notes are kept
for independent evaluation), drawn from the specialties and topics this policy's facts live in:
spine, pain management, orthopedics, neurosurgery, radiology, PM&R, chiropractic, with a back/
sacroiliac/hip/pelvis/leg-pain word in the text, and notes whose social history speaks of tobacco.
The draw is deterministic (ordered by a hash of the row), so reruns give the same folders.

Usage: python3 tools/mtsamples_dev.py [--count 160] [--data ../shared/data/mtsamples] [--out corpora/mtsamples_dev]
"""
import argparse
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

SPECIALTIES = {"Pain Management", "Orthopedic", "Neurosurgery", "Radiology", "Physical Medicine - Rehab",
               "Chiropractic", "IME-QME-Work Comp etc.", "Neurology", "Rheumatology",
               "SOAP / Chart / Progress Notes", "Consult - History and Phy.", "Office Notes", "Letters"}
TOPIC = re.compile(r"sacroiliac|\bSI joint|low(er)? back|lumbar|lumbosacral|sciatica|radiculopathy|buttock|"
                   r"\bpelvi[sc]|\bhip\b|spine|epidural|facet|spondyl", re.I)
TOBACCO = re.compile(r"\b(smok\w*|tobacco|cigarettes?|pack[- ]years?|ppd)\b", re.I)


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def draw(rows: list[list[str]], reserved: set[int], count: int) -> list[int]:
    first: dict[str, int] = {}
    filed: dict[str, set[str]] = {}
    for row in rows:
        first.setdefault(fold(row[4]), int(row[0]))
        filed.setdefault(fold(row[4]), set()).add(row[2].strip())
    reserved_texts = {fold(rows[i][4]) for i in reserved if i < len(rows)}
    spine, tobacco = [], []
    for text, i in first.items():
        if i in reserved or text in reserved_texts or len(text) < 200:
            continue
        if filed[text] & SPECIALTIES and len(TOPIC.findall(rows[i][4])) >= 2:
            spine.append(i)
        elif TOBACCO.search(rows[i][4]):
            tobacco.append(i)
    key = lambda i: hashlib.sha256(str(i).encode()).hexdigest()
    n_tobacco = count // 4
    picked = sorted(spine, key=key)[: count - n_tobacco]
    picked += sorted(tobacco, key=key)[: count - len(picked)]
    return sorted(picked)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=160)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared/data/mtsamples")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "corpora/mtsamples_dev")
    args = ap.parse_args(argv)
    csv.field_size_limit(10**9)
    with open(args.data / "mtsamples.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    reserved = {int(x) for x in (args.data / "RESERVED_ROWS.txt").read_text().split("\n")
                if x.strip() and not x.startswith("#")}
    for i in draw(rows, reserved, args.count):
        case = args.out / f"MT-{i:04d}"
        case.mkdir(parents=True, exist_ok=True)
        (case / "note.txt").write_text(rows[i][4], encoding="utf-8")
        meta = {"case_id": case.name, "documents": ["note.txt"]}
        (case / "case.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
