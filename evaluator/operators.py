"""The small, closed set of leaf checks (DESIGN habit 5). Each returns a status, a rationale in reviewer
words, the facts that decided it and, for `insufficient`, what would settle it.

present / absent / value / count / apart / span / code_in: see evaluator/policies/cp_mp_126.yaml for
their semantics in one place; `within_days` is a window any fact leaf may set.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from models import FactBase
from models.policy import (
    AbsentLeaf,
    ApartLeaf,
    CodeInLeaf,
    Condition,
    CountLeaf,
    FactLeaf,
    NodeBase,
    PresentLeaf,
    SpanLeaf,
    ValueLeaf,
)

from . import icd10
from .describe import brief, describe_all, word
from .matching import Case, attribute, holds, in_window, matches_any, unstated


@dataclass
class Outcome:
    status: str
    rationale: str
    evidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checked: str = ""
    found: str = ""


def _ids(facts: list[FactBase]) -> list[str]:
    return [f.id for f in facts if f.id]


def _label(leaf: NodeBase) -> str:
    return leaf.label or leaf.id or "criterion"


_NEEDED = {0: "two", 1: "a second"}


def render_missing(leaf: NodeBase, case: Case, **extra: Any) -> list[str]:
    """The leaf's `missing` template with the case's dates and side filled in."""
    if not leaf.missing:
        return [f"documentation of {_label(leaf)}"]
    days = getattr(leaf, "within_days", None)
    start = case.window_start(days) if days is not None else None
    values = {"window_start": start or "the start of the window", "request_date": case.request_date or "the request",
              "side": case.side or "ipsilateral", "needed": "two"} | extra
    return [leaf.missing.format(**values).strip()]


def _select(leaf: FactLeaf, filters: list, case: Case) -> tuple[list[FactBase], list[FactBase]]:
    """(facts in the window, facts outside it) matching any of `filters`."""
    hits = [f for f in case.of_type(leaf.fact) if matches_any(f, filters, case)]
    inside = [f for f in hits if in_window(f, leaf.within_days, leaf.date_attribute, case)]
    return inside, [f for f in hits if f not in inside]


def _failures(leaf: FactLeaf, case: Case) -> tuple[list[FactBase], list[FactBase]]:
    """(in window, outside) facts that document the failure: `fails_when`, then `excluded_by`."""
    inside, outside = _select(leaf, leaf.fails_when, case)
    for fact_type, filters in leaf.excluded_by.items():
        hits = [f for f in case.of_type(fact_type) if matches_any(f, filters, case)]
        inside += [f for f in hits if in_window(f, leaf.within_days, leaf.date_attribute, case)]
        outside += [f for f in hits if not in_window(f, leaf.within_days, leaf.date_attribute, case)]
    return inside, outside


def _incomplete(leaf: FactLeaf, case: Case, exclude: list[FactBase]) -> tuple[str, list[FactBase]]:
    """Facts that would count but for unstated attributes: "physical therapy, failed (duration weeks not
    stated)"."""
    notes = []
    for f in case.of_type(leaf.fact):
        if f in exclude:
            continue
        gaps = [g for w in leaf.where if (g := unstated(f, w, case))]
        if gaps:
            shortest = min(gaps, key=len)
            notes.append((f, f"{brief(f)} ({', '.join(word(a) for a in shortest)} not stated)"))
    return "; ".join(n for _, n in notes), [f for f, _ in notes]


def _window_note(leaf: FactLeaf, outside: list[FactBase], case: Case) -> str:
    if leaf.within_days is None:
        return ""
    if case.request_date is None:
        return " (no request date: the window cannot be checked)"
    if outside and all(getattr(f, leaf.date_attribute, None) is None for f in outside):
        return f" (date not stated: {describe_all(outside)})"
    if outside:
        return f" (outside the {leaf.within_days}-day window before {case.request_date}: {describe_all(outside)})"
    return f" within {leaf.within_days} days before {case.request_date}"


def present(leaf: PresentLeaf, case: Case) -> Outcome:
    met, met_outside = _select(leaf, leaf.where, case)
    failed, failed_outside = _failures(leaf, case)
    label, checked = _label(leaf), f"{_label(leaf)} documented"
    if failed and (leaf.fail_wins or not met):
        return Outcome("not_met", f"{label} not met: {describe_all(failed)}", _ids(failed), [],
                       checked, describe_all(failed))
    if met:
        return Outcome("met", f"{label}: {describe_all(met)}", _ids(met), [], checked, describe_all(met))
    outside = met_outside + failed_outside
    note = _window_note(leaf, outside, case) if outside or case.request_date is None else ""
    partial, incomplete = _incomplete(leaf, case, outside)
    text = f"{label}: {partial}" if partial else f"{label}: not documented{note}"
    return Outcome("insufficient", text, _ids(outside + incomplete), render_missing(leaf, case), checked,
                   partial or describe_all(outside) or "nothing")


def absent(leaf: AbsentLeaf, case: Case) -> Outcome:
    found, _ = _select(leaf, leaf.where, case)
    uncertain = Condition.model_validate(list(leaf.uncertain_assertions))
    unsure_filters = [dict(w) | {"assertion": uncertain} for w in leaf.where]
    unsure, _ = _select(leaf, unsure_filters, case)
    stated, _ = _select(leaf, [dict(w) | {"assertion": Condition(eq="negated")} for w in leaf.where], case)
    label, checked = _label(leaf), f"no {_label(leaf).removeprefix('no ')} documented"
    if found:
        return Outcome("not_met", f"{label} not met: {describe_all(found)} documented", _ids(found), [],
                       checked, describe_all(found))
    if unsure:
        return Outcome("insufficient", f"{label}: {describe_all(unsure)} raised but not settled", _ids(unsure),
                       render_missing(leaf, case), checked, describe_all(unsure))
    if stated:
        return Outcome("met", f"{label}: {describe_all(stated)}", _ids(stated), [], checked, describe_all(stated))
    if leaf.absence_documented:
        return Outcome("insufficient", f"{label}: not assessed in the chart", [], render_missing(leaf, case),
                       checked, "nothing")
    return Outcome("met", f"{label}: none documented", [], [], checked, "none")


def value(leaf: ValueLeaf, case: Case) -> Outcome:
    selected, _ = _select(leaf, leaf.where, case)
    failed, _ = _failures(leaf, case)
    values = [(f, attribute(f, leaf.attribute)) for f in selected]
    known = [(f, v) for f, v in values if v is not None and v != []]
    label, checked = _label(leaf), f"{word(leaf.attribute)} of {word(leaf.fact)}"
    if leaf.aggregate == "sum":
        return _total(leaf, case, known, [f for f, v in values if v is None or v == []], failed)
    passing = [(f, v) for f, v in known if holds(leaf.test, v, case)]
    shown = "; ".join(f"{word(leaf.attribute)} {_show(v)}" for _, v in (passing or known))
    if passing:
        return Outcome("met", f"{label}: {shown}", _ids([f for f, _ in passing]), [], checked, shown)
    if known or failed:
        shown = shown or describe_all(failed)
        return Outcome("not_met", f"{label} not met: {shown}", _ids([f for f, _ in known] + failed), [],
                       checked, shown)
    return Outcome("insufficient", f"{label}: not documented", [], render_missing(leaf, case), checked, "nothing")


def _total(leaf: ValueLeaf, case: Case, known: list[tuple[FactBase, Any]], unstated: list[FactBase],
           failed: list[FactBase]) -> Outcome:
    """`aggregate: sum`: the test on the sum of the stated values."""
    label, checked = _label(leaf), f"total {word(leaf.attribute)} of {_label(leaf)}"
    total = sum(float(v) for _, v in known)
    shown = f"{word(leaf.attribute)} {total:g} in all ({describe_all([f for f, _ in known])})" if known else ""
    ids = _ids([f for f, _ in known])
    if known and holds(leaf.test, total, case):
        return Outcome("met", f"{label}: {shown}", ids, [], checked, shown)
    if unstated:
        text = f"{label}: {describe_all(unstated)} ({word(leaf.attribute)} not stated)" + (f"; {shown}" if shown else "")
        return Outcome("insufficient", text, ids + _ids(unstated), render_missing(leaf, case), checked, text)
    if known or failed:
        shown = shown or describe_all(failed)
        return Outcome("not_met", f"{label} not met: {shown}", ids + _ids(failed), [], checked, shown)
    return Outcome("insufficient", f"{label}: not documented", [], render_missing(leaf, case), checked, "nothing")


def _show(v: Any) -> str:
    if isinstance(v, list):
        return "/".join(map(word, v))
    if isinstance(v, bool):
        return "yes" if v else "no"
    return word(v)


def count(leaf: CountLeaf, case: Case) -> Outcome:
    met, _ = _select(leaf, leaf.where, case)
    failed, _ = _failures(leaf, case)
    distinct = leaf.distinct
    key: Callable[[FactBase], Any] = (lambda f: attribute(f, distinct)) if distinct else (lambda f: f.id)
    hits, misses = {key(f) for f in met}, {key(f) for f in failed} - {key(f) for f in met}
    label, checked = _label(leaf), f"at least {leaf.n} {_label(leaf)}"
    found = f"{len(hits)} of {leaf.n} needed: {describe_all(met)}" if met else f"0 of {leaf.n} needed"
    if len(hits) >= leaf.n:
        return Outcome("met", f"{label}: {found}", _ids(met), [], checked, found)
    if leaf.universe is not None and len(set(leaf.universe) - misses) < leaf.n:
        return Outcome("not_met", f"{label} not met: {found}; failed: {describe_all(failed)}",
                       _ids(met + failed), [], checked, found)
    return Outcome("insufficient", f"{label}: {found}", _ids(met),
                   render_missing(leaf, case), checked, found)


def _chain(dated: list[tuple[dt.date, FactBase]], days: int) -> list[tuple[dt.date, FactBase]]:
    """The longest run of dates each at least `days` after the one before (greedy from the earliest)."""
    chain: list[tuple[dt.date, FactBase]] = []
    for day, fact in sorted(dated, key=lambda p: (p[0], p[1].id)):
        if not chain or (day - chain[-1][0]).days >= days:
            chain.append((day, fact))
    return chain


def apart(leaf: ApartLeaf, case: Case) -> Outcome:
    met, _ = _select(leaf, leaf.where, case)
    failed, _ = _failures(leaf, case)
    dated = [(getattr(f, leaf.date_attribute), f) for f in met if getattr(f, leaf.date_attribute, None)]
    chain = _chain(dated, leaf.days)
    label, checked = _label(leaf), f"{leaf.n} {_label(leaf)} at least {leaf.days} days apart"
    shown = "; ".join(brief(f) for _, f in chain)
    gaps = ", ".join(str((b[0] - a[0]).days) for a, b in pairwise(chain))
    if len(chain) >= leaf.n:
        text = f"{len(chain)} {label}: {shown}; {gaps} days apart"
        return Outcome("met", text, _ids([f for _, f in chain]), [], checked, text)
    partial, incomplete = _incomplete(leaf, case, met)
    if not _pair_possible(leaf, met + incomplete):
        reasons = [f"failed: {describe_all(failed)}"] if failed else []
        if len({d for d, _ in dated}) >= leaf.n:
            reasons.append(f"{describe_all(met)} fewer than {leaf.days} days apart")
        if reasons:
            return Outcome("not_met", f"{label} not met: " + "; ".join(reasons), _ids(met + failed), [],
                           checked, "; ".join(reasons))
    needed = _NEEDED.get(len(chain), "another") if leaf.n == 2 else f"{leaf.n - len(chain)} more"
    text = f"{label}: {len(met)} of {leaf.n} documented" + (f" ({describe_all(met)})" if met else "")
    text += f"; incomplete: {partial}" if partial else ""
    return Outcome("insufficient", text, _ids(met + incomplete), render_missing(leaf, case, needed=needed),
                   checked, text)


def _pair_possible(leaf: ApartLeaf, candidates: list[FactBase]) -> bool:
    """Whether the documented candidates (qualifying, or qualifying but for an unstated attribute) could
    still give n dates far enough apart; an undated candidate could fall anywhere."""
    dated = [(day, f) for f in candidates if (day := getattr(f, leaf.date_attribute, None))]
    return len(_chain(dated, leaf.days)) + len(candidates) - len(dated) >= leaf.n


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (clamped to the month's end)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _start(f: FactBase, leaf: SpanLeaf, case: Case) -> dt.date | None:
    """The fact's start, else its end (or the request date) less its duration."""
    start = getattr(f, leaf.start_attribute, None)
    weeks = getattr(f, "duration_weeks", None)
    if start is None and weeks is not None:
        end = getattr(f, leaf.end_attribute, None) or case.request_date
        start = end - dt.timedelta(weeks=weeks) if end else None
    return start


def _long_enough(start: dt.date, leaf: SpanLeaf, until: dt.date) -> bool:
    if leaf.months is not None:
        return add_months(start, leaf.months) <= until
    return (until - start).days >= (leaf.days or 0)


def span(leaf: SpanLeaf, case: Case) -> Outcome:
    selected, _ = _select(leaf, leaf.where, case)
    starts = [(s, f) for f in selected if (s := _start(f, leaf, case)) is not None]
    undated = [f for f in selected if _start(f, leaf, case) is None]
    size = f"{leaf.months} months" if leaf.months is not None else f"{leaf.days} days"
    label, checked = _label(leaf), f"{_label(leaf)} (at least {size} before the request)"
    if case.request_date is None or not starts:
        return Outcome("insufficient", f"{label}: no start dates" if selected else f"{label}: not documented",
                       _ids(selected), render_missing(leaf, case), checked, "no dates")
    earliest, first = min(starts, key=lambda p: (p[0], p[1].id))
    found = f"from {earliest} ({brief(first)}) to {case.request_date}"
    if _long_enough(earliest, leaf, case.request_date):
        return Outcome("met", f"{label}: {found}", _ids([first]), [], checked, found)
    if not undated:
        return Outcome("not_met", f"{label} not met: only {found}", _ids([f for _, f in starts]), [], checked, found)
    return Outcome("insufficient", f"{label}: {found}; start not stated for {describe_all(undated)}",
                   _ids(undated), render_missing(leaf, case), checked, found)


def code_in(leaf: CodeInLeaf, case: Case) -> Outcome:
    codes = list(case.request.icd10)
    label, checked = _label(leaf), "request ICD-10-CM codes in the policy's list"
    if not codes:
        return Outcome("insufficient", f"{label}: no ICD-10-CM code on the request", [],
                       render_missing(leaf, case), checked, "none")
    inside = [c for c in codes if icd10.in_list(c, leaf.codes)]
    if inside:
        return Outcome("met", f"{label}: {', '.join(inside)} in the policy's list", [], [], checked, ", ".join(inside))
    return Outcome("not_met", f"{label} not met: {', '.join(codes)} not in the policy's list", [], [],
                   checked, ", ".join(codes))


OPERATORS: dict[str, Callable[[Any, Case], Outcome]] = {
    "present": present, "absent": absent, "value": value, "count": count,
    "apart": apart, "span": span, "code_in": code_in,
}
