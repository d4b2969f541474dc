"""The one map from error types to HTTP responses.

Every ``PuenteError`` becomes JSON ``{"error": key, "message": text, "params": {...}}``
(plus ``problems`` for invalid files) in the caller's language (``Accept-Language``).
Request validation errors are 422 with the field that failed. Nothing a client sends
produces a 500: the catch-all logs and answers 500 only for our own bugs.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from puente.errors import (
    ConfigError,
    Conflict,
    Forbidden,
    InvalidFile,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PuenteError,
    Unauthorized,
)
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
        body["problems"] = [
            {**p.to_dict(), "message": t("problem." + p.reason, lang, **p.params)}
            for p in exc.problems[:1000]
        ]
    return body


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
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"error": "error.invalid", "message": t("error.invalid", lang), "problems": errors},
            status_code=422,
        )
