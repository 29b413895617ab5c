"""The calibrated confidence model: a logistic score per row, then its calibration map.

The model file (`model-v4.json`, written by `tools/train_confidence.py`) holds, for each of the
three kinds (fact, determination, recommendation), the feature names, the standardisation, the
logistic coefficients and the calibration fitted by scikit-learn's CalibratedClassifierCV
(isotonic: the step function's thresholds; sigmoid: Platt's a and b), the routing threshold and
(from v3) `meets_rule`. Applying it is a dot product and an interpolation.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from models import ReviewResult

from .features import CaseView, Features, determination_features, fact_features, recommendation_features

#: model-v2.json and model-v3.json stay beside it, so the confidences of an older review can be reproduced (`load_model(path)`)
DEFAULT_MODEL = Path(__file__).with_name("model-v4.json")
#: a confidence is never reported as certainty: the training sets are a few thousand rows
FLOOR, CEILING = 0.01, 0.99


@dataclass(frozen=True)
class _Kind:
    names: tuple[str, ...]
    #: feature -> coefficient / scale: the standardised dot product, folded once
    weight: dict[str, float]
    #: intercept - sum(coefficient * mean / scale): what an all-zero row scores
    offset: float
    method: str
    calibration: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Kind:
        names = tuple(data["features"])
        if not len(names) == len(data["coef"]) == len(data["mean"]) == len(data["scale"]):
            raise ValueError("confidence model: features, coef, mean and scale differ in length")
        weight = {n: c / s for n, c, s in zip(names, data["coef"], data["scale"])}
        offset = float(data["intercept"]) - sum(c * m / s for c, m, s in zip(data["coef"], data["mean"], data["scale"]))
        return cls(names=names, weight=weight, offset=offset, method=data["calibration"]["method"],
                   calibration=data["calibration"])

    def score(self, x: Features) -> float:
        """The uncalibrated decision value (the logistic regression's log-odds); features it does not
        know (rare in training) weigh nothing. `fsum` is exact, so the order of the features (some come
        from sets, whose order varies between processes) cannot change the last bit, nor a rounding."""
        weight = self.weight
        return self.offset + math.fsum([weight[k] * v for k, v in x.items() if k in weight])

    def probability(self, x: Features, shift: float = 0.0) -> float:
        """The calibrated probability of a row; `shift` adds a score computed apart (the case's features)."""
        s = self.score(x) + shift
        if self.method == "sigmoid":
            p = 1.0 / (1.0 + math.exp(self.calibration["a"] * s + self.calibration["b"]))
        else:
            p = _interp(s, self.calibration["x"], self.calibration["y"])
        return round(min(max(p, FLOOR), CEILING), 3)


def _interp(s: float, xs: list[float], ys: list[float]) -> float:
    """Isotonic regression's prediction (out of range clipped to the ends), as numpy.interp."""
    if s <= xs[0]:
        return ys[0]
    if s >= xs[-1]:
        return ys[-1]
    lo, hi = 0, len(xs) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if xs[mid] <= s:
            lo = mid
        else:
            hi = mid
    if xs[hi] == xs[lo]:
        return ys[hi]
    return ys[lo] + (ys[hi] - ys[lo]) * (s - xs[lo]) / (xs[hi] - xs[lo])


@dataclass(frozen=True)
class ConfidenceModel:
    version: str
    threshold: float
    fact: _Kind
    determination: _Kind
    recommendation: _Kind
    #: apply `meets_rule` to the recommendation (model v3 on; v2's file has no such key)
    meets_rule: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ConfidenceModel:
        return cls(version=data["version"], threshold=float(data["threshold"]),
                   fact=_Kind.from_json(data["fact"]), determination=_Kind.from_json(data["determination"]),
                   recommendation=_Kind.from_json(data["recommendation"]),
                   meets_rule=bool(data.get("meets_rule", False)))


@lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL) -> ConfidenceModel:
    return ConfidenceModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def deciding(result: ReviewResult) -> list[Any]:
    """The determinations the recommendation rests on: the top criteria (I or II, III, codes)."""
    return [d for d in result.determinations if "." not in d.criterion]


def meets_rule(status: str, confidence: float, confidences: list[float], threshold: float) -> float:
    """A meets_criteria recommendation is no surer than its least sure criterion once any criterion is
    below the routing threshold: every criterion must hold for it, so one that needs review puts the
    recommendation below the threshold too."""
    if status == "meets_criteria" and confidences and min(confidences) < threshold:
        return min(confidence, min(confidences))
    return confidence


def score_review(result: ReviewResult, model: ConfidenceModel | None = None,
                 threshold: float | None = None) -> ReviewResult:
    """Set `confidence` on every fact, determination and the recommendation; fill `needs_review`.

    `threshold` overrides the model's routing threshold: a determination below it is listed in
    `needs_review` (lowest confidence first, each criterion once) and, where the model says so, a
    meets_criteria recommendation with any criterion below it is no surer than that criterion
    (`meets_rule`).
    """
    model = model or load_model()
    threshold = model.threshold if threshold is None else threshold
    view = CaseView(result)
    # the case's features are the same on every row: scored once per kind, added to each row's score
    fact_shift = model.fact.score(view.case) - model.fact.offset
    det_shift = model.determination.score(view.case) - model.determination.offset
    for fact in result.facts:
        fact.confidence = model.fact.probability(fact_features(fact, view, with_case=False), fact_shift)
        view.fact_confidence[fact.id] = fact.confidence
    for det in result.determinations:
        det.confidence = model.determination.probability(determination_features(det, view, with_case=False),
                                                         det_shift)
    confidences = [d.confidence for d in result.determinations if d.confidence is not None]
    top = [d.confidence for d in deciding(result) if d.confidence is not None]
    confidence = model.recommendation.probability(recommendation_features(result, top, confidences))
    if model.meets_rule:
        confidence = meets_rule(result.recommendation.status, confidence, confidences, threshold)
    result.recommendation.confidence = confidence
    low = sorted((d for d in result.determinations if d.confidence is not None and d.confidence < threshold),
                 key=lambda d: (d.confidence, d.criterion))
    result.needs_review = list(dict.fromkeys(d.criterion for d in low))
    return result
