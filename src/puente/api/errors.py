"""The one map from error types to HTTP responses.

Every ``PuenteError`` becomes JSON ``{"error": key, "message": text, "params": {...}}``
(plus ``problems`` for invalid files) in the caller's language (the signed-in user's,
else ``Accept-Language``). Request validation errors are 422 naming every failing field;
unknown routes and wrong methods get the same body shape. Nothing a client sends
produces a 500: the catch-all logs and answers 500 only for our own bugs.
``tests/api/test_errors.py`` checks that each class really gets its status.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from puente.errors import (
    ConfigError,
    Conflict,
    Forbidden,
    InvalidFile,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Problem,
    PuenteError,
    Unauthorized,
)
from puente.exchange.client import PartnerUnreachable
from puente.i18n import t

log = logging.getLogger("puente.api")

# Most specific first: the first matching class decides the status.
STATUS: tuple[tuple[type[PuenteError], int], ...] = (
    (PayloadTooLarge, 413),
    (InvalidFile, 422),
    (InvalidInput, 400),
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (PartnerUnreachable, 502),  # the partner's failure, not ours: a gateway error
    (ConfigError, 500),
    (PuenteError, 500),
)


def status_for(exc: PuenteError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def request_lang(request: Request) -> str:
    user = getattr(request.state, "user", None)
    if user is not None:
        return str(user.lang)
    header = request.headers.get("accept-language", "")
    return "en" if header[:2].lower() == "en" else "es"


def error_body(exc: PuenteError, lang: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": exc.key,
        "message": t(exc.key, lang, **exc.params),
        "params": {k: str(v) for k, v in exc.params.items()},
    }
    if isinstance(exc, InvalidFile):
        body["problems"] = [problem_out(p, lang) for p in exc.problems[:1000]]
    return body


def problem_out(problem: Problem, lang: str) -> dict[str, Any]:
    """One problem with its message in ``lang`` (file, line, field, reason, message)."""
    return {**problem.to_dict(), "message": t("problem." + problem.reason, lang, **problem.params)}


# Request-validation error types with a message of our own; others get api.field_invalid.
_PYDANTIC = {
    "missing": "api.field_missing",
    "json_invalid": "api.json_invalid",
    "extra_forbidden": "api.field_unknown",
    "too_long": "api.field_too_long",
    "string_too_long": "api.field_too_long",
    "string_too_short": "api.field_too_short",
    "too_short": "api.field_too_short",
    "literal_error": "api.field_choice",
}


def validation_problems(exc: RequestValidationError, lang: str) -> list[dict[str, Any]]:
    out = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        kind = str(e.get("type", ""))
        reason = str(e.get("msg", ""))
        message = t(_PYDANTIC.get(kind, "api.field_invalid"), lang, field=where, reason=reason)
        out.append({"field": where, "reason": kind, "message": message, "detail": reason})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(PuenteError)
    async def _puente(request: Request, exc: PuenteError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.error("server error: %s", exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(exc, request_lang(request)), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = request_lang(request)
        problems = validation_problems(exc, lang)
        fields = ", ".join(dict.fromkeys(p["field"] for p in problems))
        return JSONResponse(
            {
                "error": "api.invalid_request",
                "message": t("api.invalid_request", lang, fields=fields),
                "params": {"fields": fields},
                "problems": problems,
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        key = _HTTP_KEYS.get(exc.status_code, "api.http_error")
        return JSONResponse(
            {
                "error": key,
                "message": t(key, request_lang(request), status=exc.status_code),
                "params": {"path": request.url.path[:200]},
            },
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(PuenteError(), request_lang(request)), status_code=500)


_HTTP_KEYS = {404: "api.no_route", 405: "api.method_not_allowed"}
