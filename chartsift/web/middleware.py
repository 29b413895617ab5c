"""ASGI middleware: request ids, security headers, and the streamed request-body limit."""
from __future__ import annotations

import json
import logging
import uuid

from .errors import error_page, prefers_html

log = logging.getLogger("chartsift.web")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy",
     (b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
      b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")),
]


class RequestContext:
    """Gives each request an id (scope state, X-Request-ID header) and adds the security headers."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rid = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message["headers"] = headers + [(b"x-request-id", rid.encode())] + SECURITY_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 - answered here so no traceback (it may quote data) is logged
            log.error("internal error %s at %s request_id=%s", type(exc).__name__, where(exc), rid)
            if not started:
                kind, body = error_body(scope, 500, "internal_error", "internal error; quote the request id", rid)
                await send_with_headers({"type": "http.response.start", "status": 500,
                                         "headers": [(b"content-type", kind),
                                                     (b"content-length", str(len(body)).encode())]})
                await send_with_headers({"type": "http.response.body", "body": body})


def error_body(scope, status: int, code: str, message: str, rid: str) -> tuple[bytes, bytes]:
    """(content type, body) of an error answered below the app's exception handlers: the error page for a
    browser (as errors.respond), else the JSON body."""
    accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
    app = scope.get("app")
    templates = getattr(getattr(app, "state", None), "templates", None)
    if templates is not None and prefers_html(accept):
        try:
            page = error_page(templates, status, code, message, rid, scope.get("path", ""))
            return b"text/html; charset=utf-8", page.encode()
        except Exception as exc:  # noqa: BLE001 - a broken template must not turn an error page into a crash
            log.error("error page failed %s at %s request_id=%s", type(exc).__name__, where(exc), rid)
    body = json.dumps({"error_code": code, "message": message, "request_id": rid}).encode()
    return b"application/json", body


def where(exc: BaseException) -> str:
    """file:line of the innermost frame: enough to find a bug, without the message (it may quote the chart)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}" if tb else "?"


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413: at once from Content-Length, else while it streams
    (chunked uploads), so nothing larger than the limit is ever parsed or written."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await self._refuse(scope, send)
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope, send):
        rid = scope.get("state", {}).get("request_id", uuid.uuid4().hex)
        kind, body = error_body(scope, 413, "too_large", f"the upload is over the limit of {_size(self.limit)}", rid)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", b"no-store"), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _size(limit: int) -> str:
    """The upload limit as a reviewer reads it: '50 MB' (MiB), '64 KB' (KiB) or bytes."""
    for unit, factor in (("MB", 1 << 20), ("KB", 1 << 10)):
        if limit >= factor:
            return f"{limit / factor:.3g} {unit} ({limit} bytes)"
    return f"{limit} bytes"
