"""Log in and out, and the public health check."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from .auth import PRELOGIN_COOKIE, SESSION_COOKIE, authenticate, close_session, open_session, tokens_match
from .deps import check_csrf, record
from .errors import AppError
from .views import render, set_cookie

public = APIRouter()
private = APIRouter()


@public.get("/health")
def health(request: Request):
    with request.app.state.sessions() as session:
        session.connection()
    return JSONResponse({"status": "ok"})


@public.get("/login")
def login_form(request: Request):
    token = request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", csrf_token=token)
    set_cookie(response, request, PRELOGIN_COOKIE, token, max_age=3600)
    return response


@public.post("/login")
async def login(request: Request):
    form = await request.form(max_files=0, max_fields=10)
    if not tokens_match(request.cookies.get(PRELOGIN_COOKIE), form.get("csrf_token")):
        raise AppError(403, "csrf_failed", "missing or wrong CSRF token; reload the page")
    name, password = str(form.get("username", "")), str(form.get("password", ""))
    token = await run_in_threadpool(_login, request, name, password)
    if token is None:
        return render(request, "login.html", status_code=401, csrf_token=request.cookies.get(PRELOGIN_COOKIE),
                      error="Wrong user name or password.")
    response = RedirectResponse("/cases", status_code=303)
    set_cookie(response, request, SESSION_COOKIE, token)
    response.delete_cookie(PRELOGIN_COOKIE, path="/")
    return response


def _login(request: Request, name: str, password: str) -> str | None:
    with request.app.state.sessions() as session, session.begin():
        user = authenticate(session, name, password)
        if user is None:
            record(session, request, "login_failed", f"user:{name[:80]}", None)
            return None
        token, _ = open_session(session, user)
        record(session, request, "login", f"user:{user.name}", user.name)
        return token


@private.get("/")
def home():
    return RedirectResponse("/cases", status_code=303)


@private.post("/logout")
async def logout(request: Request):
    form = await request.form(max_files=0, max_fields=5)
    principal = request.state.principal
    check_csrf(request, principal, form.get("csrf_token"))

    def _close():
        with request.app.state.sessions() as session, session.begin():
            close_session(session, request.cookies.get(SESSION_COOKIE))
            record(session, request, "logout", f"user:{principal.name}", principal.name)

    await run_in_threadpool(_close)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
