"""Inputs (SPEC section 2): the request and the case folder's case.json."""
from __future__ import annotations

import datetime as dt

from pydantic import Field

from .base import Side, Strict


class Request(Strict):
    cpt: str | None = None
    side: Side | None = None
    date: dt.date | None = None
    icd10: list[str] = Field(default_factory=list)


class CaseRequest(Strict):
    """The content of a case folder's `case.json`."""

    case_id: str
    request: Request | None = None
    documents: list[str] | None = None
