#!/usr/bin/env python3
"""Inter-annotator agreement between two annotations of the same cases (stdlib only).

    python3 tools/agreement.py SECOND_DIR FIRST_DIR [FIRST_DIR ...] [--json]

SECOND_DIR holds the second annotations (case folders with a gold.json each, SPEC section 6); the
FIRST_DIRs the corpora of the first (e.g. corpora/agreement/synthetic corpora/sij_*). Cases present in
both are compared, the first annotation as A. Facts match as SPEC section 6 scores them: same type, key and assertion (pain_pattern,
smoking_status and planned_procedure: one per case, so type and assertion). Reported: fact F1 between
the annotators (A as reference; F1 is symmetric), per type; attribute agreement over matched pairs;
determination agreement over criteria both annotated; and the differing items, for adjudication.
"""
from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

KEYS = {"pain_pattern": (), "tenderness": ("site", "side"), "provocative_test": ("test", "side"),
        "injection": ("site", "date"), "conservative_treatment": ("modality",),
        "imaging": ("modality", "site", "date"), "smoking_status": (), "diagnosis": ("condition",),
        "planned_procedure": ()}
SKIP = {"type", "assertion", "evidence"}


def key(fact: dict) -> tuple:
    return (fact["type"], fact.get("assertion"), *(fact.get(k) for k in KEYS.get(fact["type"], ())))


def attrs_equal(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return a == b


def compare(a: dict, b: dict, case: str, tally: dict, diffs: list) -> None:
    left = list(a.get("facts", []))
    right = list(b.get("facts", []))
    unmatched_right = list(right)
    for fa in left:
        match = next((fb for fb in unmatched_right if key(fb) == key(fa)), None)
        t = fa["type"]
        if match is None:
            tally[t]["fn"] += 1
            diffs.append(f"{case}: only A: {key(fa)}")
            continue
        unmatched_right.remove(match)
        tally[t]["tp"] += 1
        for attr in set(fa) | set(match):
            if attr in SKIP or attr in KEYS.get(t, ()):
                continue
            tally[t]["attrs"] += 1
            if attrs_equal(fa.get(attr), match.get(attr)):
                tally[t]["attrs_same"] += 1
            else:
                diffs.append(f"{case}: {key(fa)} {attr}: A={fa.get(attr)!r} B={match.get(attr)!r}")
    for fb in unmatched_right:
        tally[fb["type"]]["fp"] += 1
        diffs.append(f"{case}: only B: {key(fb)}")


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def main(argv: list[str]) -> int:
    dirs = [Path(a) for a in argv if not a.startswith("--")]
    if len(dirs) < 2:
        sys.stderr.write(__doc__)
        return 2
    dir_b, firsts = dirs[0], dirs[1:]
    first_of = {p.parent.name: p for d in firsts for p in d.glob("*/gold.json")}
    tally: dict[str, Counter] = defaultdict(Counter)
    diffs: list[str] = []
    det_same = det_all = 0
    cases = sorted(name for name in first_of if (dir_b / name / "gold.json").is_file())
    for case in cases:
        a = json.loads(first_of[case].read_text(encoding="utf-8"))
        b = json.loads((dir_b / case / "gold.json").read_text(encoding="utf-8"))
        compare(a, b, case, tally, diffs)
        da, db = a.get("determinations") or {}, b.get("determinations") or {}
        for crit in sorted(set(da) & set(db)):
            det_all += 1
            det_same += da[crit] == db[crit]
            if da[crit] != db[crit]:
                diffs.append(f"{case}: determination {crit}: A={da[crit]} B={db[crit]}")
    total = sum(tally.values(), Counter())
    out = {"cases": len(cases), "fact_f1": round(f1(total["tp"], total["fp"], total["fn"]), 3),
           "facts_a": total["tp"] + total["fn"], "facts_b": total["tp"] + total["fp"],
           "attribute_agreement": round(total["attrs_same"] / total["attrs"], 3) if total["attrs"] else None,
           "determination_agreement": round(det_same / det_all, 3) if det_all else None,
           "determinations_compared": det_all,
           "per_type": {t: {"f1": round(f1(c["tp"], c["fp"], c["fn"]), 3), "a": c["tp"] + c["fn"],
                            "b": c["tp"] + c["fp"]} for t, c in sorted(tally.items())},
           "differences": diffs}
    if "--json" in argv:
        sys.stdout.write(json.dumps(out, indent=1) + "\n")
    else:
        for k, v in out.items():
            if k not in ("per_type", "differences"):
                sys.stdout.write(f"{k}: {v}\n")
        for t, v in out["per_type"].items():
            sys.stdout.write(f"  {t:24s} F1 {v['f1']:.3f}  (A {v['a']}, B {v['b']})\n")
        sys.stdout.write(f"{len(diffs)} differences\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
