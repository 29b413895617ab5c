"""Packet-level resolution: one fact per key; the same event told in several notes is one fact.

Facts match on type + key attributes + assertion (SPEC section 6). One-per-case types
(pain_pattern, smoking_status, planned_procedure) keep the latest dated statement; the
statements that disagree with it are kept on the fact as `conflicts` for the reviewer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from models import Conflict, Fact, FactBase
from models.facts import FACT_TYPES

ONE_PER_CASE = ("pain_pattern", "smoking_status", "planned_procedure")
#: how attributes combine when several notes tell the same event
EARLIEST = ("start_date",)
LATEST_DATE = ("end_date",)
LARGEST = ("duration_weeks", "duration_months", "pack_years")
UNION = ("findings_present", "findings_absent", "location")
#: counts that grow with time (how long the pain has lasted, pack-years smoked): notes of different dates state
#: different values of the same fact, so a different value is no disagreement; the case keeps the largest
GROWING = ("duration_months", "pack_years")
#: attributes whose values rank instead of following the latest note, by type. Conservative care: a
#: failure told in any note stands against "helped" told in another (SPEC section 4, conservative care
#: outcome: improved only when the chart "does not later call it failed"; helped at first, failed later
#: is failed), and a result outranks a status ("improved" beats "ongoing").
#: "not_tolerated" is the more specific failure of one therapy (stopped for pain or side effects; it meets II.A.3
#: by itself), so it outranks a general "failed nonoperative care"; but all drugs are one medication fact, and
#: one drug stopped for drowsiness beside drugs that failed is a failed medication trial.
_FAILURE_FIRST = ("failed", "not_tolerated", "contraindicated", "improved", "ongoing")
RANKED: dict[tuple, tuple[str, ...]] = {
    ("conservative_treatment", "outcome"): ("not_tolerated", "failed", "contraindicated", "improved", "ongoing"),
    ("conservative_treatment", "outcome", "medication"): _FAILURE_FIRST,
}
_BOOK = {"id", "type", "assertion", "evidence", "conflicts", "date_approximate"}


@dataclass
class DatedFact:
    fact: FactBase
    note_date: dt.date | None


#: types whose planned (hypothetical) statement becomes evidence of the study or care done later
#: (SPEC section 4: a plan "that the packet later reports as done ... is a mention of that event"). A dated type
#: (imaging) needs the study dated on or after the plan's note; conservative care, which has no date key, needs
#: the care told as done in a note on or after the plan's note (CONVENTIONS_2026-12 C2: "Refer PT" on 01/13, PT
#: told done later: one present PT fact). The plan's visit date is not made the start: on the development corpora
#: it was wrong as often as right (a referral starts weeks later; "continue" restates care begun earlier).
FULFILLED_PLANS = ("imaging", "conservative_treatment")


def resolve(found: list[DatedFact]) -> list[Fact]:
    found = fold_fulfilled_plans(found)
    groups: dict[tuple, list[DatedFact]] = {}
    for item in found:
        groups.setdefault(_group_key(item.fact), []).append(item)
    merged = [_merge(items) for items in groups.values()]
    for fact in merged:
        _canonical_order(fact)
    merged.sort(key=_fact_order)
    for i, fact in enumerate(merged, 1):
        fact.id = f"f{i}"
    return merged  # type: ignore[return-value]


def fold_fulfilled_plans(found: list[DatedFact]) -> list[DatedFact]:
    """A planned study ("MRI L-spine ordered") that the packet later shows done is that study:
    its statement becomes evidence of the performed one instead of a separate hypothetical fact."""
    out: list[DatedFact] = []
    for item in found:
        done = _fulfilment(item, found) if item.fact.type in FULFILLED_PLANS else None  # type: ignore[attr-defined]
        if done is None:
            out.append(item)
            continue
        done.fact.evidence.extend(ev for ev in item.fact.evidence if ev not in done.fact.evidence)
    return out


def _fulfilment(plan: DatedFact, found: list[DatedFact]) -> DatedFact | None:
    fact = plan.fact
    if fact.assertion != "hypothetical" or getattr(fact, "date", None) is not None:
        return None
    same = [k for k in fact.KEY if k != "date"]
    for item in found:
        other = item.fact
        when = getattr(other, "date", None) if "date" in fact.KEY else item.note_date
        if other.type != fact.type or other.assertion != "present" or when is None:
            continue
        if all(getattr(other, k) == getattr(fact, k) for k in same) and \
                (plan.note_date is None or when >= plan.note_date):
            return item
    return None


def _fact_order(fact: FactBase) -> tuple:
    """A total order, so the same chart gives the same JSON whatever the hash seed."""
    first = fact.evidence[0]
    return (FACT_TYPES.index(fact.type), first.document, first.start, first.end,  # type: ignore[attr-defined]
            repr(fact.key()), fact.assertion)


def _canonical_order(fact: FactBase) -> None:
    """List attributes in vocabulary order and evidence in document order (never set order)."""
    for name in UNION:
        values = getattr(fact, name, None)
        if values:
            vocabulary = _vocabulary(type(fact), name)
            setattr(fact, name, sorted(values, key=lambda v: (vocabulary.index(v) if v in vocabulary else 99, v)))
    fact.evidence.sort(key=lambda ev: (ev.document, ev.start, ev.end))


def _vocabulary(model: type[FactBase], name: str) -> list[str]:
    """The Literal values of a list attribute (e.g. findings_absent), in their declared order."""
    pending = [model.model_fields[name].annotation]
    while pending:
        annotation = pending.pop()
        if get_origin(annotation) is Literal:
            return list(get_args(annotation))
        pending.extend(get_args(annotation))
    return []


def _group_key(fact: FactBase) -> tuple:
    if fact.type in ONE_PER_CASE:  # type: ignore[attr-defined]
        # other people's statements ("mother smokes") are never the patient's one fact
        return (fact.type, fact.assertion == "family")  # type: ignore[attr-defined]
    return fact.key() + (fact.assertion,)


def _order(item: DatedFact) -> tuple:
    return (item.note_date or dt.date.min, item.fact.evidence[0].document, item.fact.evidence[0].start)


def _merge(items: list[DatedFact]) -> FactBase:
    items = sorted(items, key=_order)
    if items[0].fact.type in ONE_PER_CASE:  # type: ignore[attr-defined]
        return _latest_statement(items)
    base = items[-1].fact.model_copy(deep=True)
    for name in _attributes(base):
        values = [getattr(i.fact, name) for i in items if getattr(i.fact, name) not in (None, [])]
        if values:
            kind = base.type  # type: ignore[attr-defined]
            rank = RANKED.get((kind, name, getattr(base, "modality", None))) or RANKED.get((kind, name))
            setattr(base, name, min(values, key=rank.index) if rank else _combine(name, values))
    base.evidence = _unique_evidence(items)
    base.date_approximate = all(i.fact.date_approximate for i in items)
    return base


def _latest_statement(items: list[DatedFact]) -> FactBase:
    """The latest dated statement wins; others that disagree become conflicts."""
    kept = items[-1].fact.model_copy(deep=True)
    for name in _attributes(kept):  # fill what the latest note leaves unsaid from earlier notes
        if getattr(kept, name) in (None, []):
            for item in reversed(items[:-1]):
                if _compatible(kept, item.fact) and getattr(item.fact, name) not in (None, []):
                    setattr(kept, name, getattr(item.fact, name))
                    break
    same, differ = [], []
    for item in items:
        (same if _compatible(kept, item.fact) else differ).append(item)
    for name in _attributes(kept):  # places told in several notes add up ("buttock" + "over the SIJ")
        if name in UNION or name in GROWING:
            values = [getattr(i.fact, name) for i in same if getattr(i.fact, name) not in (None, [])]
            if values:
                setattr(kept, name, _combine(name, values))
    kept.evidence = _unique_evidence(same)
    kept.conflicts = [Conflict(attributes=_statement(i.fact), evidence=i.fact.evidence) for i in differ]
    return kept


def _compatible(a: FactBase, b: FactBase) -> bool:
    """Two statements agree when no attribute both state differs (and assertions match)."""
    if a.assertion != b.assertion:
        return False
    for name in _attributes(a):
        if name in UNION:  # list attributes accumulate across notes; a shorter list is no disagreement
            continue
        if name in GROWING:  # "10 months" in July and "18 months" in March tell the same pain
            continue
        va, vb = getattr(a, name), getattr(b, name)
        if va not in (None, []) and vb not in (None, []) and va != vb:
            return False
    return True


def _statement(fact: FactBase) -> dict[str, Any]:
    data = fact.model_dump(mode="json", exclude=_BOOK)
    data["assertion"] = fact.assertion
    return {k: v for k, v in data.items() if v not in (None, [])}


def _attributes(fact: FactBase) -> list[str]:
    return [n for n in type(fact).model_fields if n not in _BOOK]


def _combine(name: str, values: list[Any]) -> Any:
    if name in EARLIEST:
        return min(values)
    if name in LATEST_DATE or name in LARGEST:
        return max(values)
    if name in UNION:
        out: list[Any] = []
        for v in values:
            out.extend(x for x in v if x not in out)
        return out
    return values[-1]


def _unique_evidence(items: list[DatedFact]):
    seen, out = set(), []
    for item in items:
        for ev in item.fact.evidence:
            key = (ev.document, ev.start, ev.end)
            if key not in seen:
                seen.add(key)
                out.append(ev)
    return out
