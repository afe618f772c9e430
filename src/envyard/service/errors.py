"""EnvyardError -> HTTP: one JSON shape ``{"detail", "hint", "errors"}`` for every failure.

=========================== ======
error                       status
=========================== ======
SpecError, bad body/query   422 (``errors``: file, line, col, field, message, hint)
NotFoundError               404
PreconditionFailedError     412 (If-Match did not match)
ConflictError               409
AuthError                   401 (with ``WWW-Authenticate: Bearer``) or 403
other EnvyardError          400 (ConfigError: 500, the server is misconfigured)
=========================== ======

URL credentials in messages are masked (:mod:`envyard.registry.masking`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from envyard.errors import (
    AuthError,
    ConfigError,
    ConflictError,
    Diagnostic,
    EnvyardError,
    NotFoundError,
    SpecError,
)
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.masking import mask_data
from envyard.spec.diagnose import format_path


def status_of(exc: EnvyardError) -> int:
    if isinstance(exc, SpecError):
        return 422
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, PreconditionFailedError):
        return 412
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, AuthError):
        return exc.status
    if isinstance(exc, ConfigError):
        return 500
    return 400


def body_of(exc: EnvyardError) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": exc.message, "type": type(exc).__name__}
    if exc.hint:
        body["hint"] = exc.hint
    if isinstance(exc, SpecError):
        body["detail"] = "; ".join(d.render() for d in exc.diagnostics)
        body["errors"] = [d.as_dict() for d in exc.diagnostics]
    return body


async def _envyard_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EnvyardError)  # noqa: S101 - registered for EnvyardError
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = mask_data(body_of(exc))  # a resolver's message may quote a channel URL
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    diagnostics = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        where, path = (str(loc[0]), loc[1:]) if loc else ("request", ())
        message = str(err.get("msg", "invalid"))
        diagnostics.append(Diagnostic(f"<{where}>", 0, 0, format_path(path), message))
    return await _envyard_error(_request, SpecError(diagnostics))


def install(app: FastAPI) -> None:
    app.add_exception_handler(EnvyardError, _envyard_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
