"""How well confidence is calibrated: ECE, Brier score, reliability bins, risk-coverage, an SVG diagram.

Each takes pairs (confidence, right) where `right` says the item was correct against gold. Also
the labelling: which predicted facts and determinations of a review are right (SPEC section 6).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from models import ReviewResult

from .corpus import RECOMMENDATION, Gold
from .matching import by_criterion, compared_attributes, match_facts

Pair = tuple[float, bool]
BINS = 10
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_confidence: float | None
    accuracy: float | None


def bins(pairs: Sequence[Pair], n: int = BINS) -> list[Bin]:
    """Equal-width confidence bins (the last one closed), with their mean confidence and accuracy."""
    out = []
    for b in range(n):
        low, high = b / n, (b + 1) / n
        inside = [(c, r) for c, r in pairs if low <= c < high or (b == n - 1 and c == high)]
        out.append(Bin(low, high, len(inside),
                       sum(c for c, _ in inside) / len(inside) if inside else None,
                       sum(r for _, r in inside) / len(inside) if inside else None))
    return out


def ece(pairs: Sequence[Pair], n: int = BINS) -> float | None:
    """Expected calibration error: the count-weighted mean |accuracy - confidence| over the bins."""
    return ece_of_bins(bins(pairs, n))


def ece_of_bins(filled: Sequence[Bin]) -> float | None:
    total = sum(b.count for b in filled)
    if not total:
        return None
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in filled  # type: ignore[operator]
               if b.count) / total


def brier(pairs: Sequence[Pair]) -> float | None:
    if not pairs:
        return None
    return sum((c - float(r)) ** 2 for c, r in pairs) / len(pairs)


def risk_coverage(pairs: Sequence[Pair], thresholds: Sequence[float] = THRESHOLDS) -> list[dict[str, Any]]:
    """For each t: the share of items at confidence >= t (coverage) and how many of them are right."""
    rows = []
    for t in thresholds:
        kept = [r for c, r in pairs if c >= t]
        rows.append({"threshold": t, "coverage": len(kept) / len(pairs) if pairs else None,
                     "accuracy": sum(kept) / len(kept) if kept else None, "count": len(kept)})
    return rows


def summary(pairs: Sequence[Pair]) -> dict[str, Any]:
    """The calibration numbers of one kind of item (facts, determinations, recommendations)."""
    return {"count": len(pairs), "accuracy": sum(r for _, r in pairs) / len(pairs) if pairs else None,
            "mean_confidence": sum(c for c, _ in pairs) / len(pairs) if pairs else None,
            "ece": ece(pairs), "brier": brier(pairs), "risk_coverage": risk_coverage(pairs),
            "bins": [b.__dict__ for b in bins(pairs)]}


def fact_labels(result: ReviewResult, gold: Gold) -> list[tuple[Any, bool]]:
    """(predicted fact, right) for each predicted fact of a type the gold scores: right when it
    matches a gold fact (type, key, assertion) and every compared attribute agrees."""
    predicted = list(result.facts)
    pairs = {p: g for g, p in match_facts(gold.facts, predicted)}
    scored = gold.scored_types()
    out = []
    for pi, fact in enumerate(predicted):
        if fact.type not in scored:
            continue
        gi = pairs.get(pi)
        right = gi is not None and all(g == p for _, g, p in compared_attributes(gold.facts[gi], fact))
        out.append((fact, right))
    return out


def determination_labels(result: ReviewResult, gold: Gold, pathway: str | None) -> list[tuple[Any, bool]]:
    """(predicted determination, right) for each criterion the gold annotates."""
    found = by_criterion(result.determinations, pathway)
    return [(found[c], found[c].status == status) for c, status in gold.determinations.items()
            if c != RECOMMENDATION and c in found]


def recommendation_label(result: ReviewResult, gold: Gold) -> bool | None:
    status = gold.determinations.get(RECOMMENDATION)
    return None if status is None else result.recommendation.status == status


def reliability_svg(series: dict[str, Sequence[Pair]], title: str = "Reliability", size: int = 320) -> str:
    """A reliability diagram as inline SVG: accuracy against mean confidence per bin, one line per
    series, the diagonal for perfect calibration, bin counts as dot sizes."""
    return reliability_svg_of_bins({name: bins(pairs) for name, pairs in series.items()}, title, size)


def reliability_svg_of_bins(series: dict[str, Sequence[Bin]], title: str = "Reliability", size: int = 320) -> str:
    """`reliability_svg` from bins already counted (a saved report keeps its bins, not its pairs)."""
    pad, inner = 40, size - 60
    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")

    def xy(c: float, a: float) -> tuple[float, float]:
        return pad + c * inner, pad - 20 + (1 - a) * inner

    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" '
              f'aria-label="{escape(title)}" font-family="sans-serif" font-size="10">'),
             f'<text x="{size / 2}" y="12" text-anchor="middle" font-size="12">{escape(title)}</text>',
             f'<rect x="{pad}" y="{pad - 20}" width="{inner}" height="{inner}" fill="none" stroke="#999"/>']
    x0, y0 = xy(0, 0)
    x1, y1 = xy(1, 1)
    parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#bbb" stroke-dasharray="4 3"/>')
    for t in (0, 0.5, 1):
        tx, ty = xy(t, 0)
        parts.append(f'<text x="{tx}" y="{ty + 12}" text-anchor="middle">{t:g}</text>')
        lx, ly = xy(0, t)
        parts.append(f'<text x="{lx - 4}" y="{ly + 3}" text-anchor="end">{t:g}</text>')
    parts.append(f'<text x="{size / 2}" y="{size - 4}" text-anchor="middle">confidence</text>')
    parts.append(f'<text x="10" y="{size / 2}" transform="rotate(-90 10 {size / 2})" '
                 f'text-anchor="middle">accuracy</text>')
    for k, (name, filled) in enumerate(series.items()):
        colour = colours[k % len(colours)]
        points = [(b, *xy(b.mean_confidence, b.accuracy)) for b in filled
                  if b.count and b.mean_confidence is not None and b.accuracy is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for _, x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        for b, x, y in points:
            r = 2 + min(6, b.count ** 0.5 / 3)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}">'
                         f'<title>{escape(name)}: {b.count} at {b.mean_confidence:.2f}, right {b.accuracy:.2f}'
                         f'</title></circle>')
        parts.append(f'<text x="{pad + 6}" y="{pad - 6 + 12 * (k + 1)}" fill="{colour}">'
                     f'{escape(name)} (n={sum(b.count for b in filled)}, ECE {ece_of_bins(filled) or 0:.3f})</text>')
    parts.append("</svg>")
    return "".join(parts)


def of_runs(runs: Sequence[Any]) -> dict[str, Any] | None:
    """The calibration of a scored corpus (each run: case_id, gold, result, pathway), or None when no
    review carries confidences."""
    facts: list[Pair] = []
    dets: list[Pair] = []
    recs: list[Pair] = []
    routed = kept_right = kept = 0
    silent_wrong_meets = 0
    for run in runs:
        result = run.result
        if result is None or result.recommendation.confidence is None:
            continue
        facts += [(f.confidence, right) for f, right in fact_labels(result, run.gold) if f.confidence is not None]
        labelled = determination_labels(result, run.gold, run.pathway)
        dets += [(d.confidence, right) for d, right in labelled if d.confidence is not None]
        rec_right = recommendation_label(result, run.gold)
        if rec_right is not None:
            recs.append((result.recommendation.confidence, rec_right))
        review = set(result.needs_review)
        for d, right in labelled:
            if d.criterion in review:
                routed += 1
            else:
                kept += 1
                kept_right += right
                if not right and rec_right is False and result.recommendation.status == "meets_criteria":
                    silent_wrong_meets += 1
    if not dets and not facts:
        return None
    total = routed + kept
    return {"facts": summary(facts), "determinations": summary(dets), "recommendations": summary(recs),
            "routing": {"determinations": total, "needs_review": routed,
                        "needs_review_share": routed / total if total else None,
                        "accuracy_not_routed": kept_right / kept if kept else None,
                        "wrong_meets_not_routed": silent_wrong_meets}}
