"""Errors as `{error_code, message, request_id}`: never document text, a file name or a stack trace."""
from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("chartsift.web")

_HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 415: "unsupported_type", 422: "invalid_request",
               429: "too_many_requests"}


class AppError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


class NotAuthenticated(AppError):
    def __init__(self) -> None:
        super().__init__(401, "not_authenticated", "log in first")


def request_id(request: Request) -> str:
    rid = request.scope.get("state", {}).get("request_id")
    return rid or uuid.uuid4().hex


def error_response(status: int, code: str, message: str, rid: str) -> JSONResponse:
    return JSONResponse({"error_code": code, "message": message, "request_id": rid}, status_code=status,
                        headers={"X-Request-ID": rid, "Cache-Control": "no-store"})


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _unauth(request: Request, exc: NotAuthenticated):
        if _wants_html(request):
            return RedirectResponse("/login", status_code=303)
        return error_response(401, exc.code, exc.message, request_id(request))

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError):
        return error_response(exc.status, exc.code, exc.message, request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, code.replace("_", " "), request_id(request))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "request" for e in exc.errors()})
        return error_response(422, "invalid_request", f"invalid or missing: {', '.join(fields)}",
                              request_id(request))
