"""Criterion ids of CP.MP.126 per pathway, and how composites combine their parts, for checking and
scoring gold determinations: both read from the policy file (`evaluator.load_policy`), never copied."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from evaluator import load_policy
from models.policy import children

POLICY_ID = "CP.MP.126"


def pathway_criteria(pathway: str | None) -> tuple[str, ...]:
    """Criterion ids of a pathway; when None, both: I.*, then II.*, then the shared ones (III, codes)."""
    table = _criteria_table()
    if pathway is not None:
        return table[pathway]
    open_ids, mi_ids = table["open"], table["minimally_invasive"]
    shared = [c for c in open_ids if c in mi_ids]
    return tuple([c for c in open_ids if c not in shared] + [c for c in mi_ids if c not in shared] + shared)


@lru_cache(maxsize=1)
def _criteria_table() -> dict[str, tuple[str, ...]]:
    """Each pathway's named criteria in the policy file, parts before their parent, then the shared ones."""
    policy = load_policy(POLICY_ID)
    tops = {node.id: node for node in policy.criteria}

    def named(node: Any) -> list[str]:
        ids = [i for child in children(node) for i in named(child)]
        return ids + ([node.id] if node.id else [])

    shared = [i for top in policy.always for i in named(tops[top])]
    return {p.name: tuple(named(tops[p.criterion]) + shared) for p in policy.pathways}


def _named_parts(node: Any) -> list[Any]:
    """The nearest named criteria under `node` (through unnamed grouping nodes)."""
    return [c for child in children(node) for c in ([child] if child.id else _named_parts(child))]


@lru_cache(maxsize=1)
def logic() -> dict[str, tuple[str, tuple[str, ...], bool]]:
    """parent -> (all/any, named parts, exact): an exact parent is nothing but its named parts (SPEC
    section 5); a parent with more conditions of its own (II.A: six months of failed care) is only
    bounded by its parts."""
    out: dict[str, tuple[str, tuple[str, ...], bool]] = {}
    policy = load_policy(POLICY_ID)
    stack = list(policy.criteria)
    while stack:
        node = stack.pop()
        stack.extend(children(node))
        parts = _named_parts(node)
        if node.id and parts and node.op in ("all", "any"):
            exact = all(child.id for child in children(node))
            out[node.id] = (node.op, tuple(p.id for p in parts), exact)
    return out
