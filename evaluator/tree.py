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
