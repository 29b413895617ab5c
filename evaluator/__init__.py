"""Facts in, determinations out: a payer policy (data in evaluator/policies/) applied to one case.

`evaluate_case` is what `chartsift.api.review` calls. The pathway comes from the request CPT, else
from a planned_procedure fact, else both pathways are evaluated and the better outcome is
recommended (the tool never denies, and the reviewer sees what each pathway is missing).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from models import STATUSES, Determination, FactBase, Flag, Pathway, PolicyRef, Recommendation, Request, ReviewResult
from models.policy import Policy, PolicyEvaluation, PolicySummary

from .engine import Evaluation, evaluate
from .loader import PolicyFileError, UnknownPolicyError, available_policies, load_policy, revisions
from .matching import Case, matches
from .ocr_hold import hold_determinations
from .recommend import recommend
from .tree import TreeRow, blocking, criteria_tree, not_needed

__all__ = [
    "PolicyEvaluation",
    "PolicyFileError",
    "PolicySummary",
    "TreeRow",
    "UnknownPolicyError",
    "available_policies",
    "blocking",
    "criteria_tree",
    "evaluate_case",
    "load_policy",
    "not_needed",
    "policy_of",
    "reevaluate",
    "unknown_cpt",
    "review_date_of",
]

_PLAN_ASSERTIONS = ("present", "hypothetical")


def evaluate_case(facts: Sequence[FactBase], request: Request, *, policy_id: str = "CP.MP.126",
                  review_date: dt.date | None = None, policy: Policy | None = None,
                  policy_dir: str | None = None) -> PolicyEvaluation:
    """Evaluate every criterion of the policy in force on the request date against `facts`.

    `review_date` (the latest date of service) stands in for a missing `request.date`, with a warning.
    `policy_dir` reads policy files from a folder instead of the bundled ones; `policy` skips the lookup.
    """
    warnings: list[str] = []
    request_date = request.date
    if request_date is None:
        request_date = review_date
        warnings.append(f"request date not given: time windows measured from the latest date of service, "
                        f"{review_date}" if review_date else
                        "request date not given and no date of service found: time windows cannot be checked")
    if policy is None:
        policy = load_policy(policy_id, request_date, directory=policy_dir)
    if request_date is not None and not policy.effective.covers(request_date):
        warnings.append(f"no revision of {policy.id} is in force on {request_date}; "
                        f"revision {policy.revision} applied")
    case = Case(facts=list(facts), request=request, request_date=request_date, side=_case_side(facts, request))
    pathways = _pathways(policy, facts, request, warnings)
    out = Evaluation()
    for pathway in pathways:
        spec = next(p for p in policy.pathways if p.name == pathway)
        evaluate(policy.node(spec.criterion), case, out, pathway=pathway)
    for criterion in policy.always:
        evaluate(policy.node(criterion), case, out)
    by_id = out.determinations
    return PolicyEvaluation(
        policy=PolicyRef(id=policy.id, revision=policy.revision, pathway=pathways[0] if len(pathways) == 1 else None),
        determinations=list(by_id.values()),
        recommendation=_recommendation(policy, pathways, by_id),
        flags=_flags(policy, case), warnings=warnings, traces=out.traces)


def _recommendation(policy: Policy, pathways: Sequence[Pathway], by_id: dict[str, Determination]) -> Recommendation:
    tops: dict[str, Determination] = {p: by_id[next(s.criterion for s in policy.pathways if s.name == p)] for p in pathways}
    always = [by_id[c] for c in policy.always]
    label = f"{policy.id} revision {policy.revision}"
    return recommend(tops, always, by_id, label, both=len(pathways) > 1)


def unknown_cpt(policy: Policy, cpt: str | None) -> str | None:
    """Why the request's CPT is refused (no procedure of the policy: none of its criteria applies), with the
    way to review it anyway; None for a CPT the policy knows, or none at all (the pathway is then inferred)."""
    if not cpt or any(cpt in p.cpt for p in policy.pathways):
        return None
    listed = ", ".join(f"{code} ({p.name.replace('_', ' ')})" for p in policy.pathways for code in p.cpt)
    return (f"CPT {cpt} is not a procedure of {policy.id} (its procedures: {listed}); --allow-unknown-cpt reviews "
            "it anyway, the pathway then inferred from the chart")


def policy_of(ref: PolicyRef, policy_dir: str | None = None) -> Policy:
    """The policy revision a review was made with (the latest revision of its id when that one is gone)."""
    found = revisions(ref.id, policy_dir)
    return next((p for p in found if p.revision == ref.revision), found[-1])


def review_date_of(result: ReviewResult) -> dt.date | None:
    """The date the review measured its time windows from: the request date, else the latest date of service
    of the documents' notes (as `chartsift.api.review` passes it)."""
    if result.request.date is not None:
        return result.request.date
    dates = [n.date_of_service for d in result.documents for n in d.notes if n.date_of_service]
    return max(dates) if dates else None


def reevaluate(result: ReviewResult, overrides: Mapping[str, str], *, policy: Policy | None = None) -> PolicyEvaluation:
    """The review with a reviewer's statuses (`overrides`: criterion -> status) in place of chartsift's.

    Every criterion above an overridden one is combined again by the policy tree (`engine.evaluate`, the
    overridden and the untouched criteria given as they stand), and the recommendation follows from the new
    statuses. Criteria not above an override keep chartsift's determination; one whose status changed has no
    confidence (the calibrated confidence was chartsift's). With no override that changes a status, the review's own
    determinations and recommendation come back.
    """
    stored = {d.criterion: d for d in result.determinations}
    given = {c: s for c, s in overrides.items() if c in stored and s in STATUSES}
    changes = {c: s for c, s in given.items() if s != stored[c].status}
    if not changes:
        return PolicyEvaluation(policy=result.policy, determinations=list(result.determinations),
                                recommendation=result.recommendation, flags=list(result.flags),
                                warnings=list(result.warnings))
    policy = policy or policy_of(result.policy)
    parents = {row.criterion: row.parent for row in criteria_tree(policy)}
    above: set[str] = set()
    for criterion in changes:
        parent = parents.get(criterion)
        while parent is not None:
            above.add(parent)
            parent = parents.get(parent)
    above -= set(given)  # a status the reviewer gave stands, whatever its parts
    fixed = {c: d for c, d in stored.items() if c not in above}
    for c, status in changes.items():
        fixed[c] = stored[c].model_copy(update={"status": status, "confidence": None,
                                                "missing": stored[c].missing if status == "insufficient" else []})
    request_date = review_date_of(result)
    case = Case(facts=list(result.facts), request=result.request, request_date=request_date,
                side=_case_side(result.facts, result.request))
    out = Evaluation()
    pathways = [spec.name for spec in policy.pathways if spec.criterion in stored]
    for spec in policy.pathways:
        if spec.criterion in stored:
            evaluate(policy.node(spec.criterion), case, out, pathway=spec.name, fixed=fixed)
    for criterion in policy.always:
        if criterion in stored:
            evaluate(policy.node(criterion), case, out, fixed=fixed)
    recombined = [out.determinations.get(c, d) for c, d in stored.items()]
    unread = {d.name: list(d.unreadable_pages) for d in result.documents if d.unreadable_pages}
    recombined = hold_determinations(recombined, unread, only=above)  # as chartsift's own review holds them
    determinations = [_recombined(d, stored[d.criterion]) if d.criterion in above else d if d.criterion in changes
                      else stored[d.criterion] for d in recombined]
    by_id = {d.criterion: d for d in determinations}
    return PolicyEvaluation(policy=result.policy, determinations=determinations,
                            recommendation=_recommendation(policy, pathways, by_id),
                            flags=list(result.flags), warnings=list(result.warnings))


def _recombined(now: Determination, before: Determination) -> Determination:
    """A criterion combined again from its parts: its new rationale (naming the parts' new statuses); chartsift's
    confidence only while the status is chartsift's."""
    return now.model_copy(update={"confidence": before.confidence if now.status == before.status else None})


def _case_side(facts: Sequence[FactBase], request: Request) -> str | None:
    """The request's side, else the side of the documented (present) pain."""
    if request.side:
        return request.side
    sides = {getattr(f, "side", None) for f in facts if getattr(f, "type", "") == "pain_pattern"
             and f.assertion == "present"}
    sides.discard(None)
    return sides.pop() if len(sides) == 1 else None


def _pathways(policy: Policy, facts: Sequence[FactBase], request: Request, warnings: list[str]) -> list[Pathway]:
    by_cpt = {cpt: p.name for p in policy.pathways for cpt in p.cpt}
    if request.cpt in by_cpt:
        return [by_cpt[request.cpt]]
    if request.cpt:
        warnings.append(f"CPT {request.cpt} is not a procedure of {policy.id}; pathway inferred from the chart")
    names = {p.name for p in policy.pathways}
    inferred: dict[str, str] = {}
    for fact in facts:
        if getattr(fact, "type", "") != "planned_procedure" or fact.assertion not in _PLAN_ASSERTIONS:
            continue
        cpt, approach = getattr(fact, "cpt", None), getattr(fact, "approach", None)
        pathway = by_cpt.get(cpt or "") or (approach if approach in names else None)
        if pathway:
            inferred.setdefault(pathway, fact.id or "a planned procedure")
    if len(inferred) == 1:
        pathway, fact_id = next(iter(inferred.items()))
        warnings.append(f"no CPT on the request: {pathway.replace('_', ' ')} pathway inferred from {fact_id}")
        return [pathway]  # type: ignore[list-item]
    warnings.append("no CPT on the request and no single planned procedure in the chart: both pathways evaluated")
    return [p.name for p in policy.pathways]


def _flags(policy: Policy, case: Case) -> list[Flag]:
    flags = []
    for rule in policy.flags:
        hits = [f for f in case.of_type(rule.fact) if matches(f, rule.where, case)]
        if hits:
            flags.append(Flag(kind=rule.kind, evidence=[f.id for f in hits if f.id], message=rule.message))
    return flags


def determination(result: PolicyEvaluation, criterion: str) -> Determination:
    """The determination of `criterion` in `result` (KeyError when it was not evaluated)."""
    for d in result.determinations:
        if d.criterion == criterion:
            return d
    raise KeyError(criterion)
