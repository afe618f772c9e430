"""The token page: who you are signed in as, and for ``admin`` tokens: list, create, revoke.

A new token's secret is shown once, in the page that answers the form (never in a cookie or
a redirect); only its hash is stored, like ``envyard token create``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse

from envyard.errors import EnvyardError
from envyard.service.ui.rendering import error_lines, flash_redirect, render, router, status_of
from envyard.service.ui.session import check_csrf, current_user, registry_of, require

_SCOPES = ("read", "write", "admin")


def _page(request: Request, status: int = 200, **context: object) -> HTMLResponse:
    user = current_user(request)
    tokens = registry_of(request).tokens.list(include_revoked=True) if user.can("admin") else []
    values: dict[str, object] = {"tokens": tokens, "secret": None, "errors": [], "scopes": _SCOPES}
    values.update(context)
    return render(request, "tokens.html", status, **values)


@router.get("/tokens", response_class=HTMLResponse)
def tokens(request: Request) -> Response:
    return _page(request)


@router.post("/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    csrf: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "read",
) -> Response:
    try:
        check_csrf(request, csrf)
        user = require(request, "admin")
        record, secret = registry_of(request).tokens.create(name, scope, by=user.actor)
    except EnvyardError as exc:
        return _page(request, status_of(exc), errors=error_lines(exc), name=name)
    return _page(request, 201, secret=secret, created=record)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: str, csrf: Annotated[str, Form()]) -> Response:
    try:
        check_csrf(request, csrf)
        require(request, "admin")
        revoked = registry_of(request).tokens.revoke(token_id)
    except EnvyardError as exc:
        return flash_redirect("/tokens", str(exc), "error")
    names = ", ".join(f"{r.name} ({r.id})" for r in revoked)
    return flash_redirect("/tokens", f"revoked {names}")
