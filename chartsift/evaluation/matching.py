"""Matching predicted facts to gold facts (SPEC section 6), and comparing what they say.

- A predicted fact can match a gold fact of the same type, key (the fact model's `KEY`; none for the
  one-per-case types) and assertion. Each gold fact matches at most one predicted fact and each
  predicted fact at most one gold fact; among candidates, the pairs agreeing on most attributes are
  taken first (ties: document order).
- Attributes are compared after normalising: dates as ISO strings, lists as sets, strings with case and
  surrounding space folded, `*_percent` numbers rounded half up to an integer, other numbers rounded
  half up to 2 decimals. A pair where neither side states an attribute (null or empty list) does not
  score that attribute.
- Evidence overlap: both texts are folded (case folded, every whitespace run one space, trimmed); they
  overlap when one contains the other, or when their longest common substring is at least half as long
  as the shorter of the two (rounded up).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from typing import Any

#: fields of every fact that are not attributes of what the chart says
NON_ATTRIBUTES = frozenset({"id", "type", "assertion", "evidence", "date_approximate", "conflicts",
                            "needs_verification", "confidence"})


def normalize(attribute: str, value: Any) -> Any:
    """A comparable, JSON-able form of an attribute value (None for 'not stated')."""
    if value is None or (isinstance(value, (list, tuple, set, frozenset)) and not value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return _round_half_up(value, 0 if attribute.endswith("_percent") else 2)
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, (list, tuple, set, frozenset)):
        return sorted({normalize(attribute, v) for v in value}, key=str)
    return value


def _round_half_up(value: float, places: int) -> float | int:
    if not math.isfinite(value):
        return value
    quantum = Decimal(1).scaleb(-places)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(rounded) if places == 0 else float(rounded)


def key_of(fact: Any) -> dict[str, Any]:
    """The fact's key attributes, normalised (empty for the one-per-case types)."""
    return {k: normalize(k, getattr(fact, k)) for k in type(fact).KEY}


def identity(fact: Any) -> tuple[Any, ...]:
    """What must be equal for two facts to match: type, key and assertion."""
    return (fact.type, tuple(sorted(key_of(fact).items())), fact.assertion)


def attribute_names(fact: Any) -> tuple[str, ...]:
    """The attributes scored for a fact's type: every field but the key and the bookkeeping."""
    model = type(fact)
    return tuple(n for n in model.model_fields if n not in NON_ATTRIBUTES and n not in model.KEY)


def compared_attributes(gold: Any, predicted: Any) -> list[tuple[str, Any, Any]]:
    """(attribute, gold value, predicted value), normalised, for each attribute either side states."""
    rows = []
    for name in attribute_names(gold):
        g = normalize(name, getattr(gold, name, None))
        p = normalize(name, getattr(predicted, name, None))
        if g is not None or p is not None:
            rows.append((name, g, p))
    return rows


def agreement(gold: Any, predicted: Any) -> int:
    return sum(1 for _, g, p in compared_attributes(gold, predicted) if g == p)


def match_facts(gold: Sequence[Any], predicted: Sequence[Any]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of matching facts, best agreement first."""
    candidates = []
    by_identity: dict[tuple[Any, ...], list[int]] = {}
    for pi, fact in enumerate(predicted):
        by_identity.setdefault(identity(fact), []).append(pi)
    for gi, fact in enumerate(gold):
        for pi in by_identity.get(identity(fact), ()):
            candidates.append((-agreement(fact, predicted[pi]), gi, pi))
    pairs: list[tuple[int, int]] = []
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in sorted(candidates):
        if gi not in used_gold and pi not in used_pred:
            pairs.append((gi, pi))
            used_gold.add(gi)
            used_pred.add(pi)
    return sorted(pairs)


def fold(text: str) -> str:
    """Case folded, whitespace runs made one space, trimmed."""
    return " ".join(text.split()).casefold()


def texts_overlap(a: str, b: str) -> bool:
    """SPEC section 6's evidence overlap, as defined in this module's docstring."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if fa in fb or fb in fa:
        return True
    shorter = min(len(fa), len(fb))
    match = SequenceMatcher(None, fa, fb, autojunk=False).find_longest_match(0, len(fa), 0, len(fb))
    return match.size >= math.ceil(shorter / 2)


def evidence_found(quotes: Iterable[tuple[str, str]], evidence: Iterable[tuple[str, str]]) -> bool:
    """True when some predicted (document, text) overlaps some gold (document, quote) in the same document."""
    evidence = list(evidence)
    return any(doc == edoc and texts_overlap(quote, text)
               for doc, quote in quotes for edoc, text in evidence)


def by_criterion(determinations: Iterable[Any], pathway: str | None) -> dict[str, Any]:
    """criterion -> predicted determination; on a repeated id (both pathways evaluated), the one of
    `pathway` wins."""
    found: dict[str, Any] = {}
    for det in determinations:
        if det.criterion not in found or (pathway and det.pathway == pathway):
            found[det.criterion] = det
    return found
