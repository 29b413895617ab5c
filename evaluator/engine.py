"""Three-valued evaluation of a policy's criterion tree (SPEC section 5), a trace for every leaf.

Kleene logic exactly as SPEC states it: an "all" is not_met if any part is, else insufficient if
any part is, else met; an "any" is met if any part is, else insufficient if any part is, else
not_met; "at_least n" is met when n parts are met, not_met when fewer than n parts can still be met,
else insufficient; "not" swaps met and not_met.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from models import Determination, Pathway
from models.policy import AtLeastNode, LeafTrace, NodeBase, children

from .matching import Case
from .operators import OPERATORS, Outcome

_COMPOSITE = ("all", "any", "at_least", "not")


def combine_all(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return "not_met" if "not_met" in found else "insufficient" if "insufficient" in found else "met"


def combine_any(statuses: Iterable[str]) -> str:
    found = set(statuses)
    return "met" if "met" in found else "insufficient" if "insufficient" in found else "not_met"


def combine_at_least(statuses: Sequence[str], n: int) -> str:
    met = sum(s == "met" for s in statuses)
    possible = met + sum(s == "insufficient" for s in statuses)
    return "met" if met >= n else "not_met" if possible < n else "insufficient"


def negate(status: str) -> str:
    return {"met": "not_met", "not_met": "met"}.get(status, status)


@dataclass
class Evaluation:
    """Determinations of every named criterion (children before parents) and the leaf traces."""

    determinations: dict[str, Determination] = field(default_factory=dict)
    traces: list[LeafTrace] = field(default_factory=list)


def combine(node: NodeBase, statuses: Sequence[str]) -> str:
    """The status of the composite `node` (all / any / at_least / not) from its parts' statuses."""
    if node.op == "all":
        return combine_all(statuses)
    if node.op == "any":
        return combine_any(statuses)
    if isinstance(node, AtLeastNode):
        return combine_at_least(statuses, node.n)
    return negate(statuses[0])


def evaluate(node: NodeBase, case: Case, out: Evaluation, *, pathway: Pathway | None = None,
             criterion: str | None = None, fixed: Mapping[str, Determination] | None = None) -> Outcome:
    """Evaluate `node`, recording a Determination for it (when it has an id) and for named nodes below.

    A named node in `fixed` is not evaluated: its given determination stands (a reviewer's status, or one
    already decided), and the nodes above combine it like any other part.
    """
    if fixed and node.id is not None and node.id in fixed:
        given = fixed[node.id]
        out.determinations[node.id] = given
        return Outcome(given.status, given.rationale, list(given.evidence), list(given.missing), "fixed",
                       given.status)
    op = node.op
    named = node.id or criterion
    if op in _COMPOSITE:
        result = _composite(node, case, out, pathway, named, fixed)
    else:
        result = OPERATORS[op](node, case)
        out.traces.append(LeafTrace(criterion=named, op=op, label=node.label or node.id or op,
                                    status=result.status, checked=result.checked, found=result.found,  # type: ignore[arg-type]
                                    facts=result.evidence))
    if node.id:
        out.determinations[node.id] = Determination(
            criterion=node.id, status=result.status, rationale=result.rationale,  # type: ignore[arg-type]
            evidence=result.evidence, missing=result.missing if result.status == "insufficient" else [],
            text=node.text, pathway=pathway)
    return result


def _composite(node: NodeBase, case: Case, out: Evaluation, pathway: Pathway | None,
               criterion: str | None, fixed: Mapping[str, Determination] | None) -> Outcome:
    parts = [(child, evaluate(child, case, out, pathway=pathway, criterion=criterion, fixed=fixed))
             for child in children(node)]
    statuses = [r.status for _, r in parts]
    op = node.op
    status = combine(node, statuses)
    deciding = [r for _, r in parts if r.status == status] or [r for _, r in parts]
    if op == "not":
        deciding = [r for _, r in parts]
    evidence = list(dict.fromkeys(i for r in deciding for i in r.evidence))
    missing = list(dict.fromkeys(m for _, r in parts if r.status == "insufficient" for m in r.missing))
    rationale = "; ".join(_part(child, r) for child, r in parts)
    if op == "not" and node.label:
        found = {"met": parts[0][1].found, "not_met": "none documented"}.get(status, parts[0][1].rationale)
        return Outcome(status, f"{node.label}: {found}", evidence, missing if status == "insufficient" else [],
                       "not", status)
    if isinstance(node, AtLeastNode):
        rationale = f"{sum(s == 'met' for s in statuses)} met, {node.n} needed: {rationale}"
    elif op == "not":
        rationale = f"not ({rationale})"
    if node.label and not node.id:
        rationale = f"{node.label}: {rationale}"
    return Outcome(status, rationale, evidence, missing if status == "insufficient" else [],
                   f"{op} of {len(parts)}", status)


def _part(child: NodeBase, result: Outcome) -> str:
    if child.id:
        return f"{child.id} {result.status.replace('_', ' ')}"
    return result.rationale
