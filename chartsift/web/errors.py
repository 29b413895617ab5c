"""Errors as `{error_code, message, request_id}` for API clients, and as a readable page for a browser: never
document text, a file name or a stack trace.

A request whose Accept header prefers HTML (a browser's navigation or form post) gets `error.html`: the coded
error, what to do about it, the request id and a link back; everything else (scripts, `fetch` asking for JSON,
curl's `*/*`) gets the JSON body. Both carry the same code, message and request id."""
from __future__ import annotations

import logging
import re
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("chartsift.web")

_HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_type",
               422: "invalid_request", 429: "too_many_requests"}

#: a heading and what to do, by error code (the reader is a nurse reviewer, not a developer)
_ADVICE = {
    "not_authenticated": ("Your session has ended",
                          "You were logged out, or the page was idle too long. Log in again; what you typed on the "
                          "page before was not saved."),
    "csrf_failed": ("The form had expired",
                    "The page was opened before your last log-in (or in another tab). Go back, reload the page and "
                    "submit the form again."),
    "forbidden": ("Not allowed", "Your account may not do this. Ask an administrator if you need it."),
    "not_found": ("Not found", "The case, document or page does not exist (or no longer does). Check the address, "
                               "or open it again from the case list."),
    "method_not_allowed": ("This address is not a page",
                           "It answers a form, not a link. Open the page again from the case list."),
    "note_required": ("An override needs a note",
                      "Go back, choose the new status and write a note saying why you change chartsift's status, "
                      "then press Override again. To agree with chartsift, press Confirm instead."),
    "decision_not_allowed": ("Choose a final decision",
                             "Go back and choose approve, pend for documentation or refer to a physician. Only a "
                             "physician may deny."),
    "invalid_request": ("A value of the form is not valid",
                        "Go back, correct the value named above and submit the form again."),
    "bad_request": ("The request could not be read", "Go back, reload the page and try again."),
    "unsupported_type": ("Only PDF and text documents",
                         "Upload PDF files or plain-text (.txt) notes. Save a Word document (.docx) or a picture "
                         "as PDF first, then upload the PDF."),
    "empty_file": ("The document is empty",
                   "The file has no content (zero bytes). Upload the document again from its source."),
    "too_large": ("The upload is too large",
                  "Upload fewer files at a time, or split a large packet into parts and add them to the case one "
                  "after the other (Documents tab, Add documents)."),
    "not_reviewed": ("The review is not finished",
                     "chartsift is still reviewing this case. Go back to the case: the page updates by itself when "
                     "the review is done."),
    "conflict": ("The case changed", "Go back, reload the case and try again."),
    "not_a_zip": ("Upload the screen output as a .zip",
                  "Zip the folder `chartsift screen` wrote (summary.csv and results.jsonl in it) and upload the .zip."),
    "unsafe_archive": ("The .zip was refused",
                       ("A file in it has a path that leaves the folder (an absolute path, '..', a link) or is "
                        "encrypted. Zip the screen output folder again with an ordinary zip tool.")),
    "archive_too_large": ("The .zip unpacks too large",
                          ("It holds more files or more data than the import takes, or compresses far more than a "
                           "screen output does. Import the screen run in parts, or ask an administrator.")),
    "not_screen_output": ("Not a screen output",
                          ("The .zip needs the summary.csv and results.jsonl that `chartsift screen` writes, in one "
                           "folder, unchanged. Zip the output folder again.")),
    "too_many_requests": ("Too many requests", "Wait a minute, then try again."),
    "internal_error": ("Something went wrong on our side",
                       "Try again. If it happens again, give the administrator the request id below."),
}


class AppError(Exception):
    """A coded error. `field`: the form field it is about, so that a form posted from a browser is shown again with
    the entered values and the error beside that field (routes_cases.create_case) instead of an error page."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(code)
        self.status, self.code, self.message, self.field = status, code, message, field


class NotAuthenticated(AppError):
    def __init__(self) -> None:
        super().__init__(401, "not_authenticated", "log in first")


def request_id(request: Request) -> str:
    rid = request.scope.get("state", {}).get("request_id")
    return rid or uuid.uuid4().hex


def error_response(status: int, code: str, message: str, rid: str) -> JSONResponse:
    return JSONResponse({"error_code": code, "message": message, "request_id": rid}, status_code=status,
                        headers={"X-Request-ID": rid, "Cache-Control": "no-store"})


_MEDIA_RANGE = re.compile(r"^\s*([^;\s]+)\s*(?:;(.*))?$")


def prefers_html(accept: str) -> bool:
    """True when the Accept header asks for HTML at least as much as for JSON: a browser's page or form post
    (`text/html,...,*/*;q=0.8`), not curl or httpx (`*/*`) nor `fetch` asking `application/json, text/html;q=0.9`.
    Only an explicit text/html counts as asking for HTML."""
    html_q = json_q = 0.0
    for part in accept.split(","):
        match = _MEDIA_RANGE.match(part)
        if not match:
            continue
        media, params = match.group(1).lower(), match.group(2) or ""
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            html_q = max(html_q, q)
        elif media in ("application/json", "application/*", "*/*"):
            json_q = max(json_q, q)
    return html_q > 0 and html_q >= json_q


def back_link(path: str, status: int) -> tuple[str, str]:
    """Where the error page's link goes: the case the request was about, the form it came from, else the list."""
    if path == "/login" or status == 401:
        return "/login", "Log in"
    case = re.match(r"^/cases/(\d+)(/|$)", path)
    if case and status != 404:
        return f"/cases/{case.group(1)}", "Back to the case"
    if path == "/cases" and status != 404:
        return "/cases/new", "Back to the new-case form"
    if path == "/queue/import" and status != 404:
        return "/queue/import", "Back to the import form"
    return "/cases", "Back to the case list"


def error_page(templates, status: int, code: str, message: str, rid: str, path: str,
               principal=None, csrf_token: str | None = None) -> str:
    """The HTML of an error page (templates/error.html): also rendered by the ASGI middleware, which has no
    Request object, so it takes the Jinja environment's owner and plain values."""
    title, advice = _ADVICE.get(code, (code.replace("_", " ").capitalize(), "Go back and try again."))
    href, label = back_link(path, status)
    return templates.get_template("error.html").render(
        status=status, code=code, message=message, request_id=rid, title=title, advice=advice, back_href=href,
        back_label=label, principal=principal, csrf_token=csrf_token)


def respond(request: Request, status: int, code: str, message: str, headers: dict | None = None):
    """The error as the client asked: a page for a browser, the JSON body otherwise."""
    rid = request_id(request)
    if not prefers_html(request.headers.get("accept", "")):
        response = error_response(status, code, message, rid)
    else:
        principal = getattr(request.state, "principal", None)
        body = error_page(request.app.state.templates, status, code, message, rid, request.url.path, principal,
                          principal.csrf_token if principal else None)
        response = HTMLResponse(body, status_code=status, headers={"X-Request-ID": rid, "Cache-Control": "no-store"})
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _unauth(request: Request, exc: NotAuthenticated):
        if request.method == "GET" and prefers_html(request.headers.get("accept", "")):
            return RedirectResponse("/login", status_code=303)
        return respond(request, 401, exc.code, exc.message)

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        return respond(request, exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        extra = {k: v for k, v in (exc.headers or {}).items() if k.lower() == "allow"}
        return respond(request, exc.status_code, code, code.replace("_", " "), extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "request" for e in exc.errors()})
        return respond(request, 422, "invalid_request", f"invalid or missing: {', '.join(fields)}")
