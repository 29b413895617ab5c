"""The policy's criterion tree as a reviewer reads it: the named criteria, parents first, each with its depth,
and which alternatives a met "any of" (or "at least n of") no longer needs."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from models.policy import AtLeastNode, NodeBase, Policy, children

#: groups whose parts are alternatives: once the group is met, a part that is not met is not needed
_ALTERNATIVES = ("any", "at_least")


@dataclass(frozen=True)
class TreeRow:
    criterion: str
    depth: int             # named criteria above it
    parent: str | None     # the nearest named criterion above it
    op: str
    n: int | None = None   # at_least's n


def criteria_tree(policy: Policy) -> list[TreeRow]:
    """Every named criterion of the policy in the policy's order, a parent before its children."""
    rows: list[TreeRow] = []

    def visit(node: NodeBase, parent: str | None, depth: int) -> None:
        if node.id:
            rows.append(TreeRow(node.id, depth, parent, node.op, node.n if isinstance(node, AtLeastNode) else None))
            parent, depth = node.id, depth + 1
        for child in children(node):
            visit(child, parent, depth)

    for top in policy.criteria:
        visit(top, None, 0)
    return rows


def not_needed(policy: Policy, statuses: Mapping[str, str]) -> set[str]:
    """The named criteria that a met group of alternatives (a named "any of" / "at least n of" whose status is
    met) does not need: its parts that are not met, with every named criterion below them."""
    found: set[str] = set()

    def named_below(node: NodeBase) -> None:
        if node.id:
            found.add(node.id)
        for child in children(node):
            named_below(child)

    def visit(node: NodeBase) -> None:
        if node.op in _ALTERNATIVES and node.id and statuses.get(node.id) == "met":
            for part in children(node):
                if part.id and part.id in statuses and statuses[part.id] != "met":
                    named_below(part)
        for child in children(node):
            visit(child)

    for top in policy.criteria:
        visit(top)
    return found


_RANK = {"met": 0, "insufficient": 1, "not_met": 2}


def blocking(policy: Policy, statuses: Mapping[str, str], pathway: str | None) -> list[str]:
    """The criteria that keep a review from `meets_criteria`: on the pathway taken (`pathway`; None: both were
    evaluated, then the one with the better top status, as the recommendation takes it) and in the criteria
    every pathway needs (III, codes), each top criterion that is `not_met` or `insufficient` is followed down to
    the deepest named criteria that are themselves not met or insufficient, and a criterion whose own status is
    worse than its failing parts explain (II.A not met with a part only insufficient). A named "any of" / "at least n of"
    that is not met is named itself (none of its alternatives is the one missing), and the alternatives of a met
    one are never blocking. Policy order; empty when the tops are all met."""
    tops = [p.criterion for p in policy.pathways if pathway in (None, p.name) and p.criterion in statuses]
    if pathway is None and tops:
        tops = [min(tops, key=lambda c: _RANK.get(statuses[c], 3))]
    found: list[str] = []

    def down(node: NodeBase) -> int:
        """Add the deepest failing named criteria at or below `node`; the worst status rank it added (0: none)."""
        rank = _RANK.get(statuses.get(node.id, "met"), 0) if node.id is not None else 0
        if node.id is not None and rank == 0:
            return 0
        if node.id is not None and node.op in _ALTERNATIVES:
            found.append(node.id)
            return rank
        worst = max([down(child) for child in children(node)], default=0)  # a list: every child is visited
        if rank > worst:  # its parts do not explain it (II.A not met for care under 6 months): it blocks itself
            found.append(node.id)  # type: ignore[arg-type]
            return rank
        return worst

    for top in tops + [c for c in policy.always if c in statuses]:
        down(policy.node(top))
    order = {row.criterion: i for i, row in enumerate(criteria_tree(policy))}
    return sorted(dict.fromkeys(found), key=lambda c: order.get(c, len(order)))
