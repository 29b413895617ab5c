"""Peer benchmark for assertion detection: the pipeline's ConText on the NegEx test set.

Reads ../shared/data/negex/rsAnnotations-1-120-random.txt (relative to the repository root;
never copied into the repo): 2,376 sentences, each with one annotated condition and its
negation (Affirmed/Negated), temporality (Recent/Historical/Not particular) and experiencer
(Patient/Other/Family member). For each sentence the condition is made the only target
(`doc.ents`), the pipeline's own components run (sentences, sectionizer, ConText with
extractor/rules/context.json), and the ConText flags are scored:

    negation: is_negated vs Negated -> precision, recall, F1, accuracy (genConText: TP 480,
              TN 1877, FP 8, FN 11)
    temporality: is_historical -> Historical, is_hypothetical -> Not particular, else Recent
    experiencer: is_family -> Other / Family member, else Patient

Usage: .venv/bin/python benchmarks/negex.py [--errors N] [--data PATH]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "negex" / "rsAnnotations-1-120-random.txt"
GENCONTEXT = {"tp": 480, "tn": 1877, "fp": 8, "fn": 11}


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [{"id": r[0], "condition": r[1], "sentence": r[2], "negation": r[3],
                 "temporality": r[4], "experiencer": r[5]} for r in reader if len(r) >= 6]


def target_span(sentence: str, condition: str) -> tuple[int, int] | None:
    """Where the condition is in the sentence: case- and whitespace-insensitive."""
    words = [re.escape(w) for w in condition.split()]
    m = re.search(r"\s+".join(words), sentence, re.IGNORECASE) if words else None
    return (m.start(), m.end()) if m else None


def judge(nlp, row: dict):
    """ConText flags of the condition in its sentence (None when the condition is not found)."""
    from spacy.tokens import Span

    doc = nlp.make_doc(row["sentence"])
    where = target_span(row["sentence"], row["condition"])
    span = doc.char_span(*where, label="CONDITION", alignment_mode="expand") if where else None
    if span is None:
        span = doc[0:len(doc)] if len(doc) else None
        if span is None:
            return None
        span = Span(doc, span.start, span.end, label="CONDITION")
    for name, component in nlp.pipeline:
        if name == "medspacy_target_matcher":
            doc.ents = [span]
            continue
        doc = component(doc)
    return doc.ents[0]._ if doc.ents else None


def metrics(tp: int, tn: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "accuracy": (tp + tn) / max(1, tp + tn + fp + fn)}


def temporality_of(flags) -> str:
    if flags.is_historical:
        return "Historical"
    if flags.is_hypothetical:
        return "Not particular"
    return "Recent"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", type=int, default=0, help="print up to N negation errors of each kind")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"missing {args.data} (expected ../shared/data relative to the repo root)", file=sys.stderr)
        return 2
    from extractor.nlp.pipeline import get_nlp

    nlp = get_nlp()
    counts = {"tp": 0, "tn": 0, "fp": 0, "fn": 0}
    temporal_ok = experiencer_ok = historical_ok = 0
    errors: dict[str, list] = {"fp": [], "fn": []}
    rows = read_rows(args.data)
    for row in rows:
        flags = judge(nlp, row)
        negated_pred = bool(flags and flags.is_negated)
        negated_gold = row["negation"] == "Negated"
        kind = ("tp" if negated_gold else "fp") if negated_pred else ("fn" if negated_gold else "tn")
        counts[kind] += 1
        if kind in errors:
            errors[kind].append(row)
        temporality = temporality_of(flags) if flags else "Recent"
        temporal_ok += temporality == row["temporality"]
        historical_ok += (temporality == "Historical") == (row["temporality"] == "Historical")
        experiencer_ok += (bool(flags and flags.is_family)) == (row["experiencer"] != "Patient")
    n = len(rows)
    ours, theirs = metrics(**counts), metrics(**GENCONTEXT)
    print(f"NegEx test set: {n} sentences ({args.data.name})")
    print(f"{'negation':<12}{'chartsift':>12}{'genConText':>12}")
    for key in ("tp", "tn", "fp", "fn"):
        print(f"{key.upper():<12}{counts[key]:>12}{GENCONTEXT[key]:>12}")
    for key in ("precision", "recall", "f1", "accuracy"):
        print(f"{key:<12}{ours[key]:>12.3f}{theirs[key]:>12.3f}")
    print(f"historical accuracy (historical vs not): {historical_ok / n:.3f}")
    print(f"temporality accuracy (3 classes):        {temporal_ok / n:.3f}")
    print(f"experiencer accuracy:                    {experiencer_ok / n:.3f}")
    for kind in ("fp", "fn"):
        for row in errors[kind][: args.errors]:
            print(f"{kind.upper()} #{row['id']}: [{row['condition']}] {row['sentence']}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
