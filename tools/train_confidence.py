#!/usr/bin/env python3
"""Train the calibrated confidence model (evaluator/confidence/model-v2.json) with scikit-learn.

    python tools/train_confidence.py [--reviews corpora/confidence/first_seen.jsonl.gz]
                                     [--out evaluator/confidence/model-v2.json] [--json REPORT]

Training rows are the *first-seen* reviews of the development corpora: each corpus reviewed by the
code as it stood when the corpus was first scored, before any fix it prompted (made by
tools/first_seen_reviews.py). Reviews of the current code on those corpora would be nearly all
right, since the extractor was since fixed on them; a confidence meant for charts the tool has never
seen must learn from the errors of charts it had not seen. Labels come from the gold (SPEC section
6): a fact is right when it matches a gold fact and all its attributes agree; a determination or
recommendation when its status equals gold's.

Every number printed is out-of-fold: GroupKFold by case (5 folds), a case's rows never on both
sides. The configurations compared (regularisation, isotonic vs Platt) are chosen by out-of-fold
Brier score; the routing threshold is the lowest at which out-of-fold determinations at or above it
are >= ROUTED_ACCURACY (0.98) right. Deterministic: no random state is drawn.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chartsift.evaluation import calibration
from chartsift.evaluation.corpus import load_corpus
from evaluator.confidence.features import (
    CaseView,
    determination_features,
    fact_features,
    recommendation_features,
)
from evaluator.confidence.model import deciding
from models import ReviewResult

MIN_COUNT = 5
FOLDS = 5
CONFIGS = [(c, m) for c in (0.1, 1.0) for m in ("isotonic", "sigmoid")]
VERSION = "2"
#: what the determinations a reviewer is not asked to check must reach out of fold. 0.99 (issue 16's
#: target) is reached only at the ceiling, 0.99, covering 23 % of determinations: three in four would be
#: sent to review. 0.98 sends one in three and leaves about 1 wrong in 50 of the rest.
ROUTED_ACCURACY = 0.98


def load_rows(path: Path) -> dict[str, list]:
    gold_cache: dict[str, dict] = {}
    rows: dict[str, list] = {"fact": [], "determination": [], "case": [], "pending": []}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            corpus = item["corpus"]
            if corpus not in gold_cache:
                gold_cache[corpus] = {c.case_id: c for c in load_corpus(ROOT / "corpora" / corpus)}
            case = gold_cache[corpus][item["case_id"]]
            result = ReviewResult.model_validate(item["review"])
            view = CaseView(result)
            group = f"{corpus}/{case.case_id}"
            for fact, right in calibration.fact_labels(result, case.gold):
                rows["fact"].append((group, fact_features(fact, view), right, fact.id))
            labelled = calibration.determination_labels(result, case.gold, case.pathway)
            if labelled:
                rows["pending"].append((group, view, labelled))
            rec_right = calibration.recommendation_label(result, case.gold)
            if rec_right is not None:
                rows["case"].append((group, result, view, rec_right))
    return rows


def vectorise(feats: list[dict[str, float]], names: list[str] | None = None) -> tuple[np.ndarray, list[str]]:
    if names is None:
        counts = Counter(k for f in feats for k in f)
        names = sorted(k for k, n in counts.items() if n >= MIN_COUNT)
    index = {n: i for i, n in enumerate(names)}
    X = np.zeros((len(feats), len(names)))
    for r, f in enumerate(feats):
        for k, v in f.items():
            if k in index:
                X[r, index[k]] = v
    return X, names


def _splits(groups: np.ndarray, folds: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    n = min(folds, len(set(groups)))
    return list(GroupKFold(n_splits=n).split(np.zeros(len(groups)), groups=groups))


def _model(c: float, method: str, groups: np.ndarray) -> CalibratedClassifierCV:
    base = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    return CalibratedClassifierCV(base, method=method, cv=_splits(groups), ensemble=False)


def oof(X: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float, method: str) -> np.ndarray:
    """Out-of-fold calibrated probabilities (the calibration itself cross-validated inside each fold)."""
    p = np.zeros(len(y))
    for train, test in _splits(groups):
        model = _model(c, method, groups[train]).fit(X[train], y[train])
        p[test] = model.predict_proba(X[test])[:, 1]
    return np.clip(p, 0.01, 0.99)


def export(model: CalibratedClassifierCV, names: list[str]) -> dict:
    cal = model.calibrated_classifiers_[0]
    pipe = cal.estimator
    scaler, lr = pipe[0], pipe[-1]
    calibrator = cal.calibrators[0]
    if hasattr(calibrator, "X_thresholds_"):
        calibration_data = {"method": "isotonic", "x": [float(v) for v in calibrator.X_thresholds_],
                            "y": [float(v) for v in calibrator.y_thresholds_]}
    else:
        calibration_data = {"method": "sigmoid", "a": float(calibrator.a_), "b": float(calibrator.b_)}
    return {"features": names, "mean": [float(v) for v in scaler.mean_], "scale": [float(v) for v in scaler.scale_],
            "coef": [float(v) for v in lr.coef_[0]], "intercept": float(lr.intercept_[0]),
            "calibration": calibration_data}


def choose(kind: str, X: np.ndarray, y: np.ndarray, groups: np.ndarray, report: dict) -> tuple[tuple, np.ndarray]:
    best = None
    table = []
    for c, method in CONFIGS:
        p = oof(X, y, groups, c, method)
        pairs = list(zip(p.tolist(), y.astype(bool).tolist()))
        row = {"C": c, "method": method, "brier": calibration.brier(pairs), "ece": calibration.ece(pairs)}
        table.append(row)
        if best is None or row["brier"] < best[0]:
            best = (row["brier"], (c, method), p)
    report[kind] = {"configs": table, "chosen": {"C": best[1][0], "method": best[1][1]}}
    return best[1], best[2]


def top_weights(model_json: dict, n: int = 12) -> list[tuple[str, float]]:
    w = sorted(zip(model_json["features"], model_json["coef"]), key=lambda t: -abs(t[1]))
    return [(k, round(v, 3)) for k, v in w[:n]]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reviews", type=Path, default=ROOT / "corpora/confidence/first_seen.jsonl.gz")
    ap.add_argument("--out", type=Path, default=ROOT / "evaluator/confidence/model-v2.json")
    ap.add_argument("--json", type=Path, help="write the cross-validation report here")
    args = ap.parse_args(argv)
    rows = load_rows(args.reviews)
    report: dict = {"training": {"fact": len(rows["fact"]), "case": len(rows["case"])}}
    out: dict = {"version": VERSION, "trained_on": args.reviews.name}
    oof_p: dict[str, np.ndarray] = {}
    for kind in ("fact", "determination"):
        if kind == "determination":
            # a determination reads the confidence of the facts it cites: their out-of-fold values (stacked)
            fact_p: dict[str, dict[str, float]] = {}
            for (g, _, _, fid), p in zip(rows["fact"], oof_p["fact"]):
                fact_p.setdefault(g, {})[fid] = float(p)
            for group, view, labelled in rows.pop("pending"):
                view.fact_confidence = fact_p.get(group, {})
                for det, right in labelled:
                    rows["determination"].append((group, determination_features(det, view), right))
        groups = np.array([r[0] for r in rows[kind]])
        X, names = vectorise([r[1] for r in rows[kind]])
        y = np.array([r[2] for r in rows[kind]], dtype=int)
        (c, method), p = choose(kind, X, y, groups, report)
        oof_p[kind] = p
        pairs = list(zip(p.tolist(), y.astype(bool).tolist()))
        report[kind]["oof"] = calibration.summary(pairs)
        report["training"][kind] = len(y)
        final = _model(c, method, groups).fit(X, y)
        out[kind] = export(final, names)
        report[kind]["top_weights"] = top_weights(out[kind])
    # the recommendation rests on the determinations' out-of-fold confidences (stacked)
    feats_r, y_r, groups_r = [], [], []
    by_case_det: dict[str, list] = {}
    for (g, f, _), p in zip(rows["determination"], oof_p["determination"]):
        by_case_det.setdefault(g, []).append((f, float(p)))
    for g, result, view, right in rows["case"]:
        confs = by_case_det.get(g, [])
        top_ids = {d.criterion for d in deciding(result)}
        top = [p for f, p in confs if any(f.get(f"criterion:{c}") for c in top_ids)]
        lowest = min((p for _, p in confs), default=1.0)
        feats_r.append(recommendation_features(result, top, lowest))
        y_r.append(int(right))
        groups_r.append(g)
    X, names = vectorise(feats_r, ["bias", "status:meets_criteria", "status:missing_documentation",
                                   "status:physician_review", "logit_deciding_min", "logit_lowest",
                                   "deciding_product"])
    y, groups = np.array(y_r), np.array(groups_r)
    p = oof(X, y, groups, 1.0, "sigmoid")
    report["recommendation"] = {"oof": calibration.summary(list(zip(p.tolist(), y.astype(bool).tolist()))),
                                "chosen": {"C": 1.0, "method": "sigmoid (few rows: one per case)"}}
    out["recommendation"] = export(_model(1.0, "sigmoid", groups).fit(X, y), names)
    # routing threshold: the lowest at which out-of-fold determinations at or above it are >= ROUTED_ACCURACY right
    pd_, yd = oof_p["determination"], np.array([r for _, _, r in rows["determination"]], dtype=bool)
    threshold = 0.9
    for t in np.round(np.arange(0.5, 0.991, 0.01), 2):
        kept = yd[pd_ >= t]
        if len(kept) and kept.mean() >= ROUTED_ACCURACY:
            threshold = float(t)
            break
    out["threshold"] = threshold
    kept = yd[pd_ >= threshold]
    report["threshold"] = {"value": threshold, "coverage": float(len(kept) / len(yd)),
                           "accuracy": float(kept.mean()) if len(kept) else None}
    args.out.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print_report(report)
    return 0


def print_report(report: dict) -> None:
    print("training rows:", report["training"])
    for kind in ("fact", "determination", "recommendation"):
        r = report[kind]
        o = r["oof"]
        print(f"\n{kind}: chosen {r['chosen']}; out-of-fold n={o['count']} accuracy {o['accuracy']:.3f} "
              f"mean conf {o['mean_confidence']:.3f} ECE {o['ece']:.3f} Brier {o['brier']:.3f}")
        for c in r.get("configs", []):
            print(f"   C={c['C']:<4} {c['method']:<9} Brier {c['brier']:.4f} ECE {c['ece']:.4f}")
        for row in o["risk_coverage"]:
            acc = "-" if row["accuracy"] is None else f"{row['accuracy']:.3f}"
            print(f"   conf >= {row['threshold']:.2f}: coverage {row['coverage']:.3f} accuracy {acc}")
        if "top_weights" in r:
            print("   weights:", r["top_weights"])
    print("\nthreshold:", report["threshold"])


if __name__ == "__main__":
    raise SystemExit(main())
