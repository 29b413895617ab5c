"""Facts in, determinations out: a payer policy (data in evaluator/policies/) applied to one case.

`evaluate_case` is what `chartsift.api.review` calls. The pathway comes from the request CPT, else
from a planned_procedure fact, else both pathways are evaluated and the better outcome is
recommended (the tool never denies, and the reviewer sees what each pathway is missing).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from models import Determination, FactBase, Flag, Pathway, PolicyRef, Request
from models.policy import Policy, PolicyEvaluation, PolicySummary

from .engine import Evaluation, evaluate
from .loader import PolicyFileError, UnknownPolicyError, available_policies, load_policy
from .matching import Case, matches
from .recommend import recommend

__all__ = [
    "PolicyEvaluation",
    "PolicyFileError",
    "PolicySummary",
    "UnknownPolicyError",
    "available_policies",
    "evaluate_case",
    "load_policy",
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
    tops: dict[str, Determination] = {p: by_id[next(s.criterion for s in policy.pathways if s.name == p)] for p in pathways}
    always = [by_id[c] for c in policy.always]
    label = f"{policy.id} revision {policy.revision}"
    return PolicyEvaluation(
        policy=PolicyRef(id=policy.id, revision=policy.revision, pathway=pathways[0] if len(pathways) == 1 else None),
        determinations=list(by_id.values()),
        recommendation=recommend(tops, always, by_id, label, both=len(pathways) > 1),
        flags=_flags(policy, case), warnings=warnings, traces=out.traces)


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
