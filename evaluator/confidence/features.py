"""Features of a fact, a determination and a recommendation, read from the review result alone.

They use only what the review JSON carries (so a review written by any earlier version can be
featurised the same way for training): how many places state a fact, in how many documents,
whether statements conflicted, the extraction rules that fired and the sections they fired in,
OCR, how complete the fact's attributes are, which determinations cite it; for a determination,
its criterion and status, the facts it rests on, and the statuses of its branches.

Added for model v3 (each kept because out-of-fold Brier rose without it, see tools/train_confidence.py
and corpora/confidence/README.md for those tried and dropped): other facts of the same type and head
(same test, same injection site) and whether their assertions disagree, another fact with the same
key, a missing date, how far an injection's relief lies from the policy's 50 % and 75 % thresholds;
for a determination the same flags of the facts it cites, their assertions, its pathway and its
parent's status.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

from models import FactBase, ReviewResult
from models.review import Determination

#: fields of a fact that are bookkeeping, not attributes read from the chart
_BOOKKEEPING = frozenset({"id", "type", "assertion", "evidence", "date_approximate", "conflicts",
                          "needs_verification", "confidence"})
Features = dict[str, float]


class CaseView:
    """What the features of one review share: facts by id, OCR'd places, citations, branches."""

    def __init__(self, result: ReviewResult) -> None:
        self.result = result
        self.facts = {f.id: f for f in result.facts}
        self.ocr_pages = {(d.name, p) for d in result.documents for p in d.ocr_pages}
        self.type_counts = Counter(_type(f) for f in result.facts if f.assertion == "present")
        self.cited: dict[str, list[Determination]] = {}
        for det in result.determinations:
            for fid in det.evidence:
                self.cited.setdefault(fid, []).append(det)
        self.by_criterion: dict[tuple[str, str | None], Determination] = {
            (d.criterion, d.pathway): d for d in result.determinations}
        self.conflicted = sum(1 for f in result.facts if f.conflicts)
        #: fact id -> its confidence, once the facts are scored (a determination's features read them)
        self.fact_confidence: dict[str, float] = {}
        self.filled = {f.id: _filled(f) for f in result.facts}
        self.ocr = {f.id: bool(self.ocr_pages) and any((e.document, e.page) in self.ocr_pages for e in f.evidence)
                    for f in result.facts}
        self._children: dict[tuple[str, str | None], list[Determination]] = {}
        for (criterion, pathway), det in self.by_criterion.items():
            parent, dot, _ = criterion.rpartition(".")
            if dot:
                self._children.setdefault((parent, pathway), []).append(det)
        # a fact's key (type and the attributes that identify it) and head (type and the first of them: the
        # same test, injection site, modality, condition), and the facts that share each
        self.keys = {f.id: f.key() for f in result.facts}
        self.heads: dict[tuple[Any, ...], list[FactBase]] = {}
        for f in result.facts:
            self.heads.setdefault(self.keys[f.id][:2], []).append(f)
        self.identities = Counter(self.keys.values())
        self.extra = {f.id: _fact_extra(f, self) for f in result.facts}
        self._cite_flags: dict[str, frozenset[str]] = {}
        self.case: Features = {
            "case:log_facts": math.log1p(len(result.facts)),
            # documents read: an unreadable one adds no evidence (its error is a feature of its own)
            "case:log_documents": math.log1p(sum(1 for d in result.documents if d.error is None)),
            "case:ocr": float(bool(self.ocr_pages)),
            "case:conflicted_facts": math.log1p(self.conflicted),
            "case:errors": float(bool(result.errors)),
        }

    def children(self, det: Determination) -> list[Determination]:
        return self._children.get((det.criterion, det.pathway), [])

    def on_ocr(self, fact: FactBase) -> bool:
        return self.ocr[fact.id]

    def cite_flags(self, fact: FactBase) -> frozenset[str]:
        flags = self._cite_flags.get(fact.id)
        if flags is None:
            flags = self._cite_flags[fact.id] = _cite_flags(fact, self)
        return flags

    def parent(self, det: Determination) -> Determination | None:
        parent, dot, _ = det.criterion.rpartition(".")
        return self.by_criterion.get((parent, det.pathway)) if dot else None


#: the relief thresholds of CP.MP.126 (evaluator/policies/cp_mp_126.yaml): a diagnostic SIJ injection counts
#: at >= 75 % relief, a therapeutic one failed under 50 %
RELIEF_THRESHOLDS = (50.0, 75.0)


def _fact_extra(fact: FactBase, view: CaseView) -> Features:
    """The v3 features of a fact that a determination citing it reads too."""
    key = view.keys[fact.id]
    head = view.heads[key[:2]]
    x: Features = {
        "head_siblings": math.log1p(len(head) - 1),
        "head_assertions_differ": float(len({f.assertion for f in head}) > 1),
        "same_identity": float(view.identities[key] > 1),
    }
    if "date" in _fields(type(fact)):
        x["date_missing"] = float(getattr(fact, "date", None) is None)
    if key[0] == "injection":
        relief = getattr(fact, "relief_percent", None)
        if relief is None:
            x["relief_missing"] = 1.0
        else:
            margin = min(abs(relief - t) for t in RELIEF_THRESHOLDS)
            x["relief_margin"] = min(margin, 25.0) / 25.0
            x["relief_near"] = float(margin < 10.0)
    return x


def _type(fact: FactBase) -> str:
    """The fact's `type` (every fact model defines it; FactBase itself does not)."""
    return str(fact.type)  # type: ignore[attr-defined]


@cache
def _fields(model: type[FactBase]) -> frozenset[str]:
    """A fact model's fields (pydantic's `model_fields` is rebuilt on each access: read once per model)."""
    return frozenset(model.model_fields)


@cache
def _attribute_names(model: type[FactBase]) -> tuple[str, ...]:
    return tuple(n for n in model.model_fields if n not in _BOOKKEEPING)


def _attributes(fact: FactBase) -> list[Any]:
    return [getattr(fact, n) for n in _attribute_names(type(fact))]


def _filled(fact: FactBase) -> float:
    values = _attributes(fact)
    if not values:
        return 1.0
    return sum(1 for v in values if v not in (None, [], "")) / len(values)


def _rules(fact: FactBase) -> Iterable[str]:
    return {e.rule for e in fact.evidence if e.rule is not None}


def fact_features(fact: FactBase, view: CaseView, with_case: bool = True) -> Features:
    """The features of one fact of the review (`with_case=False`: without the case's own, which are the
    same for every row of a review and can be scored once)."""
    docs = {e.document for e in fact.evidence}
    cited_by = view.cited.get(fact.id, [])
    kind = _type(fact)
    x: Features = {
        "bias": 1.0,
        f"type:{kind}": 1.0,
        f"assertion:{fact.assertion}": 1.0,
        f"type_assertion:{kind}:{fact.assertion}": 1.0,
        "log_evidence": math.log1p(len(fact.evidence)),
        "log_documents": math.log1p(len(docs)),
        "single_mention": float(len(fact.evidence) == 1),
        "conflicts": float(bool(fact.conflicts)),
        "needs_verification": float(fact.needs_verification),
        "date_approximate": float(fact.date_approximate),
        "ocr": float(view.on_ocr(fact)),
        "filled": view.filled[fact.id],
        "cited": float(bool(cited_by)),
        "cited_met": float(any(d.status == "met" for d in cited_by)),
        "log_same_type": math.log1p(view.type_counts.get(kind, 0)),
        "log_quote_chars": math.log1p(sum(len(e.text) for e in fact.evidence) / len(fact.evidence)),
        "no_section": float(all(e.section is None for e in fact.evidence)),
    }
    for rule in _rules(fact):
        x[f"rule:{rule}"] = 1.0
    for section in {e.section for e in fact.evidence if e.section}:
        x[f"section:{section}"] = 1.0
    x.update(view.extra[fact.id])
    return x | view.case if with_case else x


#: v2's flags of the facts a determination cites, always present (0.0 when no cited fact raises them)
_CITED_FLAGS = ("cited_conflicts", "cited_unverified", "cited_ocr", "cited_not_present", "cited_single_mention",
                "cited_approximate")
#: v3 flags of a fact that a determination citing it raises as cited_<name>
_EXTRA_FLAGS = ("head_assertions_differ", "same_identity", "date_missing", "relief_missing", "relief_near")


def _cite_flags(fact: FactBase, view: CaseView) -> frozenset[str]:
    """The flags a fact raises on every determination that cites it (computed once per fact)."""
    extra = view.extra[fact.id]
    flags = {f"cited_type:{_type(fact)}", f"cited_assertion:{fact.assertion}"}
    if fact.conflicts:
        flags.add("cited_conflicts")
    if fact.needs_verification:
        flags.add("cited_unverified")
    if view.on_ocr(fact):
        flags.add("cited_ocr")
    if fact.assertion != "present":
        flags.add("cited_not_present")
    if len(fact.evidence) == 1:
        flags.add("cited_single_mention")
    if fact.date_approximate:
        flags.add("cited_approximate")
    flags.update(f"cited_{name}" for name in _EXTRA_FLAGS if extra.get(name))
    return frozenset(flags)


def determination_features(det: Determination, view: CaseView, with_case: bool = True) -> Features:
    """The features of one determination of the review (`with_case` as for facts)."""
    cited = [view.facts[i] for i in det.evidence if i in view.facts]
    kids = view.children(det)
    kid_status = Counter(k.status for k in kids)
    x: Features = {
        "bias": 1.0,
        f"criterion:{det.criterion}": 1.0,
        f"status:{det.status}": 1.0,
        f"criterion_status:{det.criterion}:{det.status}": 1.0,
        "log_cited": math.log1p(len(cited)),
        "no_evidence": float(not cited),
        "missing": float(bool(det.missing)),
        "parent": float(bool(kids)),
        "kids_met": kid_status["met"] / len(kids) if kids else 0.0,
        "kids_not_met": kid_status["not_met"] / len(kids) if kids else 0.0,
        "kids_insufficient": kid_status["insufficient"] / len(kids) if kids else 0.0,
        "cited_min_filled": min((view.filled[f.id] for f in cited), default=1.0),
    }
    x.update(dict.fromkeys(_CITED_FLAGS, 0.0))
    x.update(dict.fromkeys(frozenset().union(*(view.cite_flags(f) for f in cited)), 1.0))
    confs = [view.fact_confidence[f.id] for f in cited if f.id in view.fact_confidence]
    if confs:
        x["cited_min_confidence"] = min(confs)
        x["cited_mean_confidence"] = sum(confs) / len(confs)
    # v3
    x[f"pathway:{det.pathway}"] = 1.0
    parent = view.parent(det)
    x[f"parent_status:{parent.status if parent else 'none'}"] = 1.0
    margins = [view.extra[f.id]["relief_margin"] for f in cited if "relief_margin" in view.extra[f.id]]
    if margins:
        x["cited_relief_margin"] = min(margins)
    return x | view.case if with_case else x


def recommendation_features(result: ReviewResult, deciding: list[float], confidences: list[float]) -> Features:
    """The recommendation's features: its status and the confidences it rests on.

    `deciding` are the confidences of the criteria that decide it (the pathway's top criterion, III,
    codes); `confidences` those of every determination of the review.
    """
    def logit(p: float) -> float:
        p = min(max(p, 1e-3), 1 - 1e-3)
        return math.log(p / (1 - p))

    return {
        "bias": 1.0,
        f"status:{result.recommendation.status}": 1.0,
        "logit_deciding_min": logit(min(deciding, default=1.0)),
        "logit_lowest": logit(min(confidences, default=1.0)),
        "deciding_product": math.prod(deciding) if deciding else 1.0,
    }
