"""Request dependencies: database sessions, the logged-in user, CSRF checks, audit rows."""
from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from . import audit
from .auth import SESSION_COOKIE, current_session, tokens_match
from .errors import AppError, NotAuthenticated, request_id


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    csrf_token: str


def db_factory(request: Request):
    return request.app.state.sessions


def require_user(request: Request) -> Principal:
    """The logged-in user, or 401 (a redirect to /login for a browser page)."""
    settings = request.app.state.settings
    with request.app.state.sessions() as session, session.begin():
        row = current_session(session, request.cookies.get(SESSION_COOKIE), settings.idle_timeout_s)
        if row is None:
            raise NotAuthenticated()
        principal = Principal(row.user.id, row.user.name, row.user.role, row.csrf_token)
    request.state.principal = principal
    return principal


def check_csrf(request: Request, principal: Principal, form_token: str | None) -> None:
    """A form post carries the session's CSRF token (form field `csrf_token` or header X-CSRF-Token)."""
    given = form_token or request.headers.get("x-csrf-token")
    if not tokens_match(principal.csrf_token, given):
        raise AppError(403, "csrf_failed", "missing or wrong CSRF token; reload the page")


def record(session: Session, request: Request, action: str, obj: str, user: str | None) -> None:
    audit.append(session, action, obj, user=user, request_id=request_id(request))
