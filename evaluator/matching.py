"""The case as the evaluator sees it, and how a leaf's filters match facts.

A filter (`where`) maps attribute -> Condition; a fact matches when every condition holds. Unless
the filter names `assertion`, only facts asserted `present` match: negated, possible, hypothetical,
historical and family facts never count as present.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models import FactBase, Request
from models.policy import Condition, Filter

#: attributes computed when the chart states them only indirectly
_DERIVED = {"duration_weeks"}


@dataclass(frozen=True)
class Case:
    """Facts plus what the windows and sides are measured against."""

    facts: Sequence[FactBase]
    request: Request
    request_date: dt.date | None
    side: str | None = None
    warnings: list[str] = field(default_factory=list)

    def of_type(self, fact_type: str) -> list[FactBase]:
        return [f for f in self.facts if getattr(f, "type", None) == fact_type]

    def window_start(self, days: int) -> dt.date | None:
        return self.request_date - dt.timedelta(days=days) if self.request_date else None


def attribute(fact: FactBase, name: str) -> Any:
    """The attribute's value; `duration_weeks` falls back to end_date - start_date."""
    value = getattr(fact, name, None)
    if value is None and name in _DERIVED:
        start, end = getattr(fact, "start_date", None), getattr(fact, "end_date", None)
        if start and end and end >= start:
            return (end - start).days / 7
    return value


def holds(condition: Condition, value: Any, case: Case) -> bool:
    """Whether `value` passes every test the condition sets."""
    tests = condition.model_fields_set
    checks = [
        ("eq", lambda: value == condition.eq),
        ("in_", lambda: value in (condition.in_ or [])),
        ("not_in", lambda: value not in (condition.not_in or [])),
        ("gte", lambda: _number(value) is not None and _number(value) >= condition.gte),  # type: ignore[operator]
        ("gt", lambda: _number(value) is not None and _number(value) > condition.gt),  # type: ignore[operator]
        ("lte", lambda: _number(value) is not None and _number(value) <= condition.lte),  # type: ignore[operator]
        ("lt", lambda: _number(value) is not None and _number(value) < condition.lt),  # type: ignore[operator]
        ("contains_any", lambda: bool(set(value or []) & set(condition.contains_any or []))),
        ("contains_none", lambda: not set(value or []) & set(condition.contains_none or [])),
        ("is_null", lambda: (value is None) == condition.is_null),
        ("ipsilateral", lambda: _ipsilateral(value, case.side) == condition.ipsilateral),
    ]
    return all(check() for name, check in checks if name in tests)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _ipsilateral(side: Any, case_side: str | None) -> bool:
    """Same side as the case; unknown on either side cannot show otherwise."""
    return side is None or case_side is None or side == "bilateral" or case_side == "bilateral" or side == case_side


def matches(fact: FactBase, where: Filter, case: Case) -> bool:
    if "assertion" not in where and fact.assertion != "present":
        return False
    return all(holds(cond, attribute(fact, name), case) for name, cond in where.items())


def unstated(fact: FactBase, where: Filter, case: Case) -> list[str] | None:
    """Attributes left unstated (None) when every stated one passes `where`; None when a stated one fails
    or nothing is missing (the fact would match, or cannot)."""
    if "assertion" not in where and fact.assertion != "present":
        return None
    missing = []
    for name, cond in where.items():
        value = attribute(fact, name)
        if value is None and not {"is_null", "not_in", "contains_none", "ipsilateral"} & cond.model_fields_set:
            missing.append(name)
        elif not holds(cond, value, case):
            return None
    return missing or None


def matches_any(fact: FactBase, filters: Sequence[Filter], case: Case) -> bool:
    return any(matches(fact, where, case) for where in filters)


def in_window(fact: FactBase, days: int | None, date_attribute: str, case: Case) -> bool:
    """Dated 0..days before the request date (inclusive); always true without a window."""
    if days is None:
        return True
    day = getattr(fact, date_attribute, None)
    start = case.window_start(days)
    return day is not None and start is not None and case.request_date is not None \
        and start <= day <= case.request_date
