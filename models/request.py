"""Inputs (SPEC section 2): the request and the case folder's case.json."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from .base import Side, Strict

#: how fast a prior-authorization request must be decided (CMS-0057-F: expedited 72 hours, standard 7 calendar days)
Urgency = Literal["standard", "urgent"]
URGENCIES: tuple[str, ...] = Urgency.__args__  # type: ignore[attr-defined]


class Request(Strict):
    cpt: str | None = None
    side: Side | None = None
    date: dt.date | None = None
    icd10: list[str] = Field(default_factory=list)


class Patient(Strict):
    """Who the request is for, as the reviewer's queue shows it (never read by the review, never logged)."""

    name: str | None = Field(default=None, max_length=200)
    birth_date: dt.date | None = None
    member_id: str | None = Field(default=None, max_length=80)


class CaseRequest(Strict):
    """The content of a case folder's `case.json`. `patient`, `received` and `urgency` are for the reviewer's
    queue (the web app's worklist: who, and when the decision is due); the review itself never reads them."""

    case_id: str
    request: Request | None = None
    documents: list[str] | None = None
    patient: Patient | None = None
    #: when the request was received (ISO date-time; without an offset it is the reviewers' local time); without
    #: it the receipt is the start of `request.date`
    received: dt.datetime | None = None
    urgency: Urgency | None = None
