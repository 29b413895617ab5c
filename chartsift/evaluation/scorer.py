"""Score review results against gold cases (SPEC section 6) into a `models.EvaluationReport`.

Facts: per-type precision, recall and F1 with scikit-learn over one item per matched pair
(y_true = y_pred = type), unmatched gold fact (type -> "(none)") and unmatched predicted fact of a
type the gold file annotates completely ("(none)" -> type); micro and macro over the fact types seen.
An empty denominator gives None (sklearn's zero_division=nan; macro leaves such types out).
Determinations: accuracy and a confusion matrix (rows gold, columns predicted) per criterion; a gold
criterion the review did not determine counts as wrong and as `absent`.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import FACT_TYPES, STATUSES, ReviewResult
from models.evaluation import (
    AttributeScore,
    CaseScore,
    ConfusionMatrix,
    Counts,
    CriterionScore,
    DeterminationScores,
    EvaluationError,
    EvaluationReport,
    FactScores,
    Prf,
    Source,
    TypeScore,
)

from . import calibration
from .corpus import RECOMMENDATION, RECOMMENDATION_STATUSES, Gold
from .criteria import pathway_criteria
from .matching import by_criterion, compared_attributes, evidence_found, key_of, match_facts
from .snippets import add_context

NONE = "(none)"


@dataclass(frozen=True)
class CaseRun:
    """One case to score: its gold, what the review returned (None when it failed), and its documents."""

    case_id: str
    gold: Gold
    result: ReviewResult | None
    pathway: str | None = None
    failure: str | None = None
    #: gold document name -> the name the review gave it (e.g. every note -> "packet.pdf" when scored as PDF)
    rename: Mapping[str, str] = field(default_factory=dict)
    #: document name (as the review names it) -> text, to quote errors in context; optional
    texts: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Tally:
    """Everything counted over the corpus before the metrics are computed."""

    y_true: list[str] = field(default_factory=list)
    y_pred: list[str] = field(default_factory=list)
    attributes: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    evidence: list[bool] = field(default_factory=list)
    unscored: int = 0
    dets: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    errors: list[EvaluationError] = field(default_factory=list)
    cases: list[CaseScore] = field(default_factory=list)


def score(runs: Sequence[CaseRun], *, corpus: str = "", source: Source = "text",
          version: str | None = None) -> EvaluationReport:
    """The evaluation report of a list of scored cases."""
    tally = _Tally()
    for run in runs:
        _score_case(run, tally)
    return EvaluationReport(corpus=corpus, source=source, cases=len(runs), chartsift_version=version,
                            facts=_fact_scores(tally), determinations=_determination_scores(tally, runs),
                            case_scores=tally.cases, errors=tally.errors, calibration=calibration.of_runs(runs))


def _score_case(run: CaseRun, tally: _Tally) -> None:
    predicted = list(run.result.facts) if run.result else []
    if run.failure is not None:
        tally.errors.append(EvaluationError(kind="review_failed", case_id=run.case_id, message=run.failure))
    start = len(tally.y_true)
    errors_before = len(tally.errors)
    _score_facts(run, predicted, tally)
    counts = _counts(tally.y_true[start:], tally.y_pred[start:], set(FACT_TYPES))
    correct, total, rec_pred = _score_determinations(run, tally)
    tally.cases.append(CaseScore(
        case_id=run.case_id, gold_facts=len(run.gold.facts), predicted_facts=len(predicted), counts=counts,
        determinations_correct=correct, determinations_total=total,
        recommendation_gold=run.gold.determinations.get(RECOMMENDATION), recommendation_predicted=rec_pred,
        failed=run.failure is not None))
    add_context(tally.errors[errors_before:], run.texts)


def _score_facts(run: CaseRun, predicted: list[Any], tally: _Tally) -> None:
    gold = run.gold.facts
    pairs = match_facts(gold, predicted)
    matched_gold = {g for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    scored_types = run.gold.scored_types()
    for gi, pi in pairs:
        tally.y_true.append(gold[gi].type)
        tally.y_pred.append(gold[gi].type)
        _compare_pair(run, gold[gi], predicted[pi], tally)
    for gi, fact in enumerate(gold):
        if gi not in matched_gold:
            tally.y_true.append(fact.type)
            tally.y_pred.append(NONE)
            tally.errors.append(_fact_error("false_negative", run, fact, _gold_place(run, fact)))
    for pi, fact in enumerate(predicted):
        if pi in matched_pred:
            continue
        if fact.type not in scored_types:
            tally.unscored += 1
            continue
        tally.y_true.append(NONE)
        tally.y_pred.append(fact.type)
        tally.errors.append(_fact_error("false_positive", run, fact, _predicted_place(fact)))


def _compare_pair(run: CaseRun, gold: Any, predicted: Any, tally: _Tally) -> None:
    for name, g, p in compared_attributes(gold, predicted):
        cell = tally.attributes.setdefault((gold.type, name), [0, 0])
        cell[1] += 1
        if g == p:
            cell[0] += 1
        else:
            document, snippet = _attribute_place(predicted, (g, p))
            tally.errors.append(EvaluationError(
                kind="wrong_attribute", case_id=run.case_id, document=document, snippet=snippet,
                fact_type=gold.type, key=key_of(gold), assertion=gold.assertion, attribute=name,
                gold=g, predicted=p))
    quotes = [(run.rename.get(e.document, e.document), e.quote) for e in gold.evidence]
    found = evidence_found(quotes, ((Path(e.document).name, e.text) for e in predicted.evidence))
    tally.evidence.append(found)


def _gold_place(run: CaseRun, fact: Any) -> tuple[str | None, str | None]:
    ev = fact.evidence[0]
    return run.rename.get(ev.document, ev.document), ev.quote


def _predicted_place(fact: Any) -> tuple[str | None, str | None]:
    ev = fact.evidence[0] if fact.evidence else None
    return (Path(ev.document).name, ev.text) if ev else (None, None)


def _attribute_place(fact: Any, values: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """The predicted evidence that shows a value (gold's or predicted's, e.g. "80" for relief), else the first."""
    words = [str(v).casefold() for v in values if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    for ev in fact.evidence:
        if any(w in ev.text.casefold() for w in words):
            return Path(ev.document).name, ev.text
    return _predicted_place(fact)


def _fact_error(kind: str, run: CaseRun, fact: Any, place: tuple[str | None, str | None]) -> EvaluationError:
    return EvaluationError(kind=kind, case_id=run.case_id, document=place[0], snippet=place[1],  # type: ignore[arg-type]
                           fact_type=fact.type, key=key_of(fact), assertion=fact.assertion)


def _score_determinations(run: CaseRun, tally: _Tally) -> tuple[int, int, str | None]:
    predicted = by_criterion(run.result.determinations if run.result else (), run.pathway)
    rec_pred = run.result.recommendation.status if run.result else None
    correct = total = 0
    for criterion, gold_status in run.gold.determinations.items():
        det = predicted.get(criterion)
        pred_status = rec_pred if criterion == RECOMMENDATION else (det.status if det else None)
        y_true, y_pred = tally.dets.setdefault(criterion, ([], []))
        y_true.append(gold_status)
        y_pred.append(pred_status or NONE)
        if criterion != RECOMMENDATION:
            total += 1
            correct += gold_status == pred_status
        if gold_status != pred_status:
            tally.errors.append(_determination_error(run, criterion, gold_status, pred_status, det))
    return correct, total, rec_pred


def _determination_error(run: CaseRun, criterion: str, gold: str, predicted: str | None,
                         det: Any) -> EvaluationError:
    document = snippet = None
    if det is not None and det.evidence and run.result is not None:
        cited = {f.id: f for f in run.result.facts}.get(det.evidence[0])
        if cited is not None:
            document, snippet = _predicted_place(cited)
    message = run.result.recommendation.summary if criterion == RECOMMENDATION and run.result else (
        det.rationale if det else "not determined by the review")
    return EvaluationError(kind="wrong_determination", case_id=run.case_id, criterion=criterion, gold=gold,
                           predicted=predicted, document=document, snippet=snippet, message=message)


def _fact_scores(tally: _Tally) -> FactScores:
    labels = [t for t in FACT_TYPES if t in set(tally.y_true) | set(tally.y_pred)]
    per_type: list[TypeScore] = []
    micro = macro = Prf()
    if labels:
        p, r, f, _ = _prfs(tally.y_true, tally.y_pred, labels, None)
        for i, label in enumerate(labels):
            counts = _counts(tally.y_true, tally.y_pred, {label})
            per_type.append(TypeScore(type=label, precision=_num(p[i]), recall=_num(r[i]), f1=_num(f[i]),
                                      support=counts.tp + counts.fn, predicted=counts.tp + counts.fp,
                                      counts=counts))
        micro = Prf(**dict(zip(("precision", "recall", "f1"), map(_num, _prfs(tally.y_true, tally.y_pred,
                                                                                labels, "micro")[:3]))))
        macro = Prf(**dict(zip(("precision", "recall", "f1"), map(_num, _prfs(tally.y_true, tally.y_pred,
                                                                                labels, "macro")[:3]))))
    attributes = [AttributeScore(type=t, attribute=a, correct=c, total=n, accuracy=_ratio(c, n))
                  for (t, a), (c, n) in sorted(tally.attributes.items(), key=lambda kv: _type_order(kv[0]))]
    all_correct = sum(c for c, _ in tally.attributes.values())
    all_total = sum(n for _, n in tally.attributes.values())
    return FactScores(per_type=per_type, micro=micro, macro=macro,
                      counts=_counts(tally.y_true, tally.y_pred, set(FACT_TYPES)), attributes=attributes,
                      attribute_accuracy=_ratio(all_correct, all_total),
                      evidence_found=_ratio(sum(tally.evidence), len(tally.evidence)),
                      evidence_matched=len(tally.evidence), unscored_predictions=tally.unscored)


def _prfs(y_true: list[str], y_pred: list[str], labels: list[str], average: str | None) -> Any:
    from sklearn.metrics import precision_recall_fscore_support  # imported when scoring: `import chartsift` stays light

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return precision_recall_fscore_support(y_true, y_pred, labels=labels, average=average,
                                               zero_division=math.nan)


def _counts(y_true: Iterable[str], y_pred: Iterable[str], labels: set[str]) -> Counts:
    counts = Counts()
    for t, p in zip(y_true, y_pred):
        if t == p and t in labels:
            counts.tp += 1
        else:
            counts.fn += t in labels
            counts.fp += p in labels
    return counts


def _determination_scores(tally: _Tally, runs: Sequence[CaseRun]) -> DeterminationScores:
    order = {c: i for i, c in enumerate(pathway_criteria(None))}
    criteria = sorted((c for c in tally.dets if c != RECOMMENDATION), key=lambda c: (order.get(c, len(order)), c))
    per = [_criterion_score(c, *tally.dets[c], STATUSES) for c in criteria]
    rec = _criterion_score(RECOMMENDATION, *tally.dets.get(RECOMMENDATION, ([], [])), RECOMMENDATION_STATUSES)
    correct, total = sum(s.correct for s in per), sum(s.total for s in per)
    return DeterminationScores(per_criterion=per, accuracy=_ratio(correct, total), total=total, correct=correct,
                               recommendation=rec)


def _criterion_score(criterion: str, y_true: list[str], y_pred: list[str],
                     labels: Sequence[str]) -> CriterionScore:
    from sklearn.metrics import confusion_matrix

    correct = sum(t == p for t, p in zip(y_true, y_pred))
    matrix = (confusion_matrix(y_true, y_pred, labels=list(labels)).tolist() if y_true
              else [[0] * len(labels) for _ in labels])
    return CriterionScore(criterion=criterion, total=len(y_true), correct=correct,
                          accuracy=_ratio(correct, len(y_true)), absent=y_pred.count(NONE),
                          confusion=ConfusionMatrix(labels=list(labels), matrix=matrix))


def _type_order(key: tuple[str, str]) -> tuple[int, str]:
    return (FACT_TYPES.index(key[0]) if key[0] in FACT_TYPES else len(FACT_TYPES), key[1])


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _num(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
