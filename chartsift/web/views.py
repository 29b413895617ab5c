"""Small helpers shared by the route modules: templates, cookies, forms."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from .errors import request_id


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    context.update(request=request, principal=principal, request_id=request_id(request),
                   csrf_token=principal.csrf_token if principal else context.get("csrf_token"))
    response = request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def cookie_secure(request: Request) -> bool:
    forced = request.app.state.settings.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


def set_cookie(response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=cookie_secure(request), path="/")


def local_time(value: dt.datetime | None, zone: str = "") -> str:
    """A stored time as the reviewer reads it: local time (`zone`, else the server's zone) to the minute, with
    the zone's name. A naive value is UTC (SQLite hands the stored UTC time back without its zone)."""
    if value is None:
        return ""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    local = aware.astimezone(ZoneInfo(zone) if zone else None)
    return local.strftime("%Y-%m-%d %H:%M %Z").strip()
