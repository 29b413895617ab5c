"""The reviewers' queue: due dates from receipt, the review state kept on each case, assignment rules, the list query.

Due dates follow CMS-0057-F's decision time frames for payers: an expedited (urgent) request is due 72 hours after
receipt, a standard one 7 calendar days after (the same local clock time, so a change to or from daylight saving time
in between makes it 167 or 169 hours). A receipt given as a date only starts at the beginning of that local day (the
earliest it can have been received, so the due date is never late); without one it is the upload or import time.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from evaluator import not_needed, policy_of
from models import URGENCIES

from . import caseview
from .errors import AppError
from .models import FINAL_DECISIONS, Case, User, utcnow

URGENT_HOURS = 72
STANDARD_DAYS = 7
RECOMMENDATIONS = ("meets_criteria", "missing_documentation", "physician_review")
DUE_FILTERS = ("overdue", "today", "later")
SORTS = ("due", "-due", "received", "case", "newest")
#: cases per worklist page: the default, and the sizes a reviewer may choose (`size=`)
PAGE_SIZE = 50
PAGE_SIZES = (10, 25, 50, 100, 200)


# --- due dates ------------------------------------------------------------------------------------------------------

def _to_wall(value: dt.datetime, zone: str) -> dt.datetime:
    """An aware time as the naive wall-clock time of `zone` ("": the server's zone)."""
    return value.astimezone(ZoneInfo(zone) if zone else None).replace(tzinfo=None)


def _from_wall(wall: dt.datetime, zone: str) -> dt.datetime:
    """A wall-clock time of `zone` as an aware UTC time (a time a DST change skips is read with the offset before)."""
    aware = wall.replace(tzinfo=ZoneInfo(zone)) if zone else wall.astimezone()
    return aware.astimezone(dt.UTC)


def received_at(received: dt.datetime | None, request_date: dt.date | None, fallback: dt.datetime,
                zone: str) -> dt.datetime:
    """When the request was received, in UTC: `received` (a naive one is local time), else the start of the local
    day `request_date`, else `fallback` (the upload or import time)."""
    if received is not None:
        return _from_wall(received, zone) if received.tzinfo is None else received.astimezone(dt.UTC)
    if request_date is not None:
        return _from_wall(dt.datetime.combine(request_date, dt.time()), zone)
    return caseview.as_utc(fallback)


def due_at(received: dt.datetime, urgency: str | None, zone: str) -> dt.datetime:
    """When the decision is due, in UTC: urgent 72 hours after receipt, standard 7 calendar days (local clock)."""
    if urgency == "urgent":
        return caseview.as_utc(received) + dt.timedelta(hours=URGENT_HOURS)
    return _from_wall(_to_wall(caseview.as_utc(received), zone) + dt.timedelta(days=STANDARD_DAYS), zone)


def today_bounds(now: dt.datetime, zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The start of today and of tomorrow in `zone`, as UTC times."""
    start = _to_wall(now, zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return _from_wall(start, zone), _from_wall(start + dt.timedelta(days=1), zone)


def due_state(case: Case, now: dt.datetime, zone: str) -> str:
    """`decided`, `overdue`, `today` or `later` (what the list shows beside the due date)."""
    if case.final_decision:
        return "decided"
    if case.due_at is None:
        return ""
    due = caseview.as_utc(case.due_at)
    if due < now:
        return "overdue"
    return "today" if due < today_bounds(now, zone)[1] else "later"


def set_receipt(case: Case, received: dt.datetime | None, zone: str, now: dt.datetime | None = None) -> None:
    """The case's receipt and due date from `received` / its request date / `now`."""
    case.received_at = received_at(received, case.request_date, now or utcnow(), zone)
    case.due_at = due_at(case.received_at, case.urgency, zone)


# --- the review state kept on the case -------------------------------------------------------------------------------

def refresh_state(session: Session, case: Case) -> None:
    """Recompute the current revision's state columns from the stored review and the reviewers' decisions: the
    recommendation their overrides give, the final decision, the criteria confirmed and overridden of those to review
    (the alternatives a met "any of" does not need are not counted), the needs-review count, the confidence."""
    result = caseview.load_result(case)
    if result is None:
        case.reviewed_recommendation = case.final_decision = None
        case.criteria_total = case.criteria_confirmed = case.criteria_overridden = None
        case.needs_review = case.confidence = None
        return
    per, final, _history = caseview.latest_decisions(session, case)
    reviewed = caseview.reviewed_state(result, per, final)
    spare = not_needed(policy_of(result.policy), {d.criterion: d.status for d in reviewed.evaluation.determinations})
    counted = [d.criterion for d in result.determinations if d.criterion not in spare]
    case.reviewed_recommendation = reviewed.recommendation.status
    case.final_decision = final.status if final else None
    case.criteria_total = len(counted)
    case.criteria_confirmed = sum(1 for c in counted if c in per and per[c].action == "confirm")
    case.criteria_overridden = sum(1 for c in counted if c in per and per[c].action == "override")
    case.needs_review = len(result.needs_review)
    case.confidence = result.recommendation.confidence


def stale(stmt: Select) -> Select:
    """Cases made before migration 0003 (or written by hand): a review without its state, or no due date."""
    return stmt.where(or_(Case.due_at.is_(None), (Case.result_json.is_not(None) & Case.criteria_total.is_(None))))


def backfill(session: Session, zone: str) -> int:
    """Fill the worklist columns of stale cases (receipt: their upload time); returns how many."""
    cases = session.scalars(stale(select(Case))).all()
    for case in cases:
        if case.due_at is None:
            set_receipt(case, None, zone, now=case.created_at)
        if case.result_json is not None and case.criteria_total is None:
            refresh_state(session, case)
    return len(cases)


# --- assignment --------------------------------------------------------------------------------------------------------

def check_assignment(principal, case: Case, target: User | None) -> None:
    """Who may assign: an admin, any case to any active user (or nobody); a reviewer, an unassigned case to
    themself, and a case assigned to them to anyone (handing it over) or to nobody (releasing it). 403 otherwise."""
    if principal.role == "admin":
        return
    mine = case.assignee_id == principal.user_id
    if case.assignee_id is None and target is not None and target.id == principal.user_id:
        return
    if mine:
        return
    if case.assignee_id is None:
        raise AppError(403, "assignment_forbidden", "a reviewer may take an unassigned case for themself; "
                                                    "an admin assigns cases to others")
    raise AppError(403, "assignment_forbidden", "the case is assigned to another reviewer; they or an admin may "
                                                "reassign it")


def check_may_decide(principal, case: Case) -> None:
    """Decisions on an assigned case are its assignee's (anyone's while it is unassigned)."""
    if case.assignee_id is not None and case.assignee_id != principal.user_id:
        raise AppError(403, "assigned_to_another", "the case is assigned to another reviewer; take it over "
                                                   "(they or an admin reassign it) before deciding")


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))


# --- the list ------------------------------------------------------------------------------------------------------------

@dataclass
class Filters:
    """The worklist's filters, as the query string gives them (unknown values are ignored, not errors)."""

    q: str = ""
    status: str = ""
    recommendation: str = ""   # RECOMMENDATIONS or "none" (no review yet): the reviewed one where decided
    decision: str = ""         # FINAL_DECISIONS, "none" (open) or "decided"
    assignee: str = ""         # "me", "none" (unassigned) or a user name
    due: str = ""              # DUE_FILTERS (open cases only)
    needs_review: str = ""     # "yes" / "no"
    sort: str = "due"
    page: int = 1              # 1-based
    size: int = PAGE_SIZE      # one of PAGE_SIZES

    def query(self, **change) -> str:
        """The filters, sort and page as a query string (the list's links, the pager, and `next` after an
        assignment); `change` replaces some (`page=2`). Defaults are left out."""
        values = {**vars(self), **change}
        defaults = {"sort": "due", "page": 1, "size": PAGE_SIZE}
        return urlencode({k: v for k, v in values.items() if v and v != defaults.get(k)})

    def url(self, **change) -> str:
        """The worklist's address with these filters (see `query`)."""
        query = self.query(**change)
        return f"/cases?{query}" if query else "/cases"

    def filtered(self) -> bool:
        """Whether any filter (not the sort or the page) is set."""
        return any(getattr(self, k) for k in ("q", "status", "recommendation", "decision", "assignee", "due",
                                              "needs_review"))


def page_numbers(raw_page: str, raw_size: str) -> tuple[int, int]:
    """The query's page and page size: junk is the first page and the default size, not an error."""
    size = int(raw_size) if raw_size.isdigit() and int(raw_size) in PAGE_SIZES else PAGE_SIZE
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 1_000_000 else 1
    return page, size


@dataclass(frozen=True)
class Page:
    """One page of the list: `cases 51-100 of 312`."""

    number: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.number * self.size, self.total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_of(f: Filters, total: int) -> Page:
    """The page the filters ask for, kept within the list (a page past the end shows the last)."""
    page = Page(f.page, f.size, total)
    return page if f.page <= page.last else Page(page.last, f.size, total)


def list_query(f: Filters, user_id: int, now: dt.datetime, zone: str, states: tuple[str, ...]) -> Select:
    stmt = select(Case)
    if f.q:
        stmt = stmt.where(func.lower(Case.case_id).contains(f.q.lower()[:80], autoescape=True))
    if f.status in states:
        stmt = stmt.where(Case.status == f.status)
    if f.recommendation in RECOMMENDATIONS:
        stmt = stmt.where(Case.reviewed_recommendation == f.recommendation)
    elif f.recommendation == "none":
        stmt = stmt.where(Case.reviewed_recommendation.is_(None))
    if f.decision in FINAL_DECISIONS:
        stmt = stmt.where(Case.final_decision == f.decision)
    elif f.decision == "none":
        stmt = stmt.where(Case.final_decision.is_(None))
    elif f.decision == "decided":
        stmt = stmt.where(Case.final_decision.is_not(None))
    if f.assignee == "me":
        stmt = stmt.where(Case.assignee_id == user_id)
    elif f.assignee == "none":
        stmt = stmt.where(Case.assignee_id.is_(None))
    elif f.assignee:
        stmt = stmt.where(Case.assignee_id == select(User.id).where(User.name == f.assignee).scalar_subquery())
    if f.due in DUE_FILTERS:
        _today, tomorrow = today_bounds(now, zone)
        stmt = stmt.where(Case.final_decision.is_(None))
        stmt = stmt.where({"overdue": Case.due_at < now, "today": (Case.due_at >= now) & (Case.due_at < tomorrow),
                           "later": Case.due_at >= tomorrow}[f.due])
    if f.needs_review == "yes":
        stmt = stmt.where(Case.needs_review > 0)
    elif f.needs_review == "no":
        stmt = stmt.where(Case.needs_review == 0)
    order = {"due": (Case.due_at.asc(), Case.id), "-due": (Case.due_at.desc(), Case.id.desc()),
             "received": (Case.received_at.asc(), Case.id), "case": (Case.case_id,),
             "newest": (Case.created_at.desc(), Case.id.desc())}
    return stmt.order_by(*order.get(f.sort, order["due"]))


def count(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def valid_urgency(raw: str | None) -> str:
    value = (raw or "").strip() or "standard"
    if value not in URGENCIES:
        raise AppError(422, "invalid_request", "urgency is standard or urgent")
    return value
