"""The evaluation report of SPEC section 6: scores of facts and determinations against a gold corpus.

A metric whose denominator is empty (nothing to measure) is `None`, never a made-up 0 or 1.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import Strict

ErrorKind = Literal["false_positive", "false_negative", "wrong_attribute", "wrong_determination", "review_failed"]
ERROR_KINDS: tuple[str, ...] = ErrorKind.__args__  # type: ignore[attr-defined]
Source = Literal["text", "pdf", "scan"]


class Counts(Strict):
    tp: int = 0
    fp: int = 0
    fn: int = 0


class Prf(Strict):
    """Precision, recall and F1 (None where the denominator is empty)."""

    precision: float | None = None
    recall: float | None = None
    f1: float | None = None


class TypeScore(Prf):
    type: str
    support: int = Field(description="gold facts of this type")
    predicted: int = Field(description="predicted facts of this type that were scored (inside `complete`)")
    counts: Counts


class AttributeScore(Strict):
    """Agreement of one attribute over matched pairs where gold or prediction states a value."""

    type: str
    attribute: str
    correct: int
    total: int
    accuracy: float | None = None


class FactScores(Strict):
    per_type: list[TypeScore]
    micro: Prf
    macro: Prf
    counts: Counts
    attributes: list[AttributeScore]
    attribute_accuracy: float | None = Field(default=None, description="over all scored attribute pairs")
    evidence_found: float | None = Field(default=None, description="share of matched gold facts whose quote "
                                         "overlaps some predicted evidence text")
    evidence_matched: int = 0
    unscored_predictions: int = Field(default=0, description="predicted facts of types outside `complete`")


class ConfusionMatrix(Strict):
    """Rows are gold labels, columns predicted labels, both in `labels` order."""

    labels: list[str]
    matrix: list[list[int]]


class CriterionScore(Strict):
    criterion: str
    total: int
    correct: int
    accuracy: float | None = None
    absent: int = Field(default=0, description="gold criteria the review did not determine at all")
    confusion: ConfusionMatrix


class DeterminationScores(Strict):
    per_criterion: list[CriterionScore]
    accuracy: float | None = Field(default=None, description="over every (case, criterion) pair, "
                                   "recommendation excluded")
    total: int = 0
    correct: int = 0
    recommendation: CriterionScore


class EvaluationError(Strict):
    """One typed error, with the place it shows in the chart."""

    kind: ErrorKind
    case_id: str
    document: str | None = None
    snippet: str | None = None
    context_before: str | None = None
    context_after: str | None = None
    fact_type: str | None = None
    key: dict[str, Any] | None = None
    assertion: str | None = None
    attribute: str | None = None
    criterion: str | None = None
    gold: Any = None
    predicted: Any = None
    message: str | None = None


class CaseScore(Strict):
    case_id: str
    gold_facts: int
    predicted_facts: int
    counts: Counts
    determinations_correct: int
    determinations_total: int
    recommendation_gold: str | None = None
    recommendation_predicted: str | None = None
    failed: bool = False


class EvaluationReport(Strict):
    corpus: str
    source: Source = "text"
    cases: int
    chartsift_version: str | None = None
    facts: FactScores
    determinations: DeterminationScores
    case_scores: list[CaseScore]
    errors: list[EvaluationError]
    calibration: dict[str, Any] | None = Field(
        default=None, description="how well the confidences are calibrated, per kind (facts, determinations, "
        "recommendations): count, accuracy, mean confidence, ECE, Brier, risk-coverage, reliability bins; "
        "and the routing: share sent to review, accuracy of the rest, wrong determinations behind a "
        "wrong meets_criteria that were not sent to review")
    pdf: EvaluationReport | None = Field(default=None, description="the same corpus scored as PDF packets "
                                         "(`--as-pdf`)")
    scan: EvaluationReport | None = Field(default=None, description="the same corpus scored as fax-like "
                                          "image-only PDFs read by OCR (`--as-scan`)")
