"""Criterion ids of CP.MP.126 per pathway, for checking and scoring gold determinations.

The ids come from the policy engine (`evaluator.load_policy`); the constant below is the fallback
for an installation without it.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

POLICY_ID = "CP.MP.126"

# Fallback only: the ids are read from the policy file through `evaluator.load_policy` (a test pins
# that both agree); SPEC section 5, parts before their parent.
FALLBACK_CRITERIA: dict[str, tuple[str, ...]] = {
    "minimally_invasive": ("II.A.1", "II.A.2", "II.A.3", "II.A", "II.B", "II.C", "II.D", "II.E",
                           "II.F.1", "II.F.2", "II.F.3", "II.F", "II.G", "II.H", "II", "III", "codes"),
    "open": ("I.A", "I.B", "I.C", "I.D", "I", "III", "codes"),
}

#: parent -> (all/any, children, exact): exact parents are nothing but their children (SPEC section 5);
#: II.A also needs six months of failed care, so its children only bound it from above.
LOGIC: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "II.A": ("all", ("II.A.1", "II.A.2", "II.A.3"), False),
    "II.F": ("all", ("II.F.1", "II.F.2", "II.F.3"), True),
    "II": ("all", ("II.A", "II.B", "II.C", "II.D", "II.E", "II.F", "II.G", "II.H"), True),
    "I": ("any", ("I.A", "I.B", "I.C", "I.D"), True),
}


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
    from_engine = _criteria_from_engine()
    return from_engine if from_engine else FALLBACK_CRITERIA


def _criteria_from_engine() -> dict[str, tuple[str, ...]] | None:
    """Each pathway's named criteria in the policy file, parts before their parent, then the shared ones."""
    try:
        from evaluator import load_policy
        from models.policy import children
    except ImportError:
        return None
    policy = load_policy(POLICY_ID)
    tops = {node.id: node for node in policy.criteria}

    def named(node: Any) -> list[str]:
        ids = [i for child in children(node) for i in named(child)]
        return ids + ([node.id] if node.id else [])

    shared = [i for top in policy.always for i in named(tops[top])]
    return {p.name: tuple(named(tops[p.criterion]) + shared) for p in policy.pathways}
