"""Criterion ids of CP.MP.126 per pathway, for checking and scoring gold determinations.

The ids come from the policy engine when it can load the policy; the constant below is the
fallback until then.
"""
from __future__ import annotations

from functools import lru_cache

POLICY_ID = "CP.MP.126"

# REPLACE with the policy engine's ids once `evaluator.load_policy` is in place everywhere
# (pathway_criteria already prefers it); SPEC section 5, in the policy's order.
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
    """Ask the policy engine, when it is there, for each pathway's criterion ids."""
    try:
        from evaluator import load_policy  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        policy = load_policy(POLICY_ID)
        return {p: tuple(policy.criterion_ids(p)) for p in FALLBACK_CRITERIA}
    except (AttributeError, TypeError, KeyError):
        return None
