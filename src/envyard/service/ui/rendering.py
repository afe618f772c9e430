"""Templates, the shared router, page rendering and one-shot flash messages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from envyard import __version__
from envyard.errors import AuthError, EnvyardError, SpecError
from envyard.registry.masking import mask_text
from envyard.service.headers import protect
from envyard.service.ui.session import csrf_token, current_user, remember_csrf

__all__ = ["flash_redirect", "render", "render_error", "router", "templates"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
FLASH_COOKIE = "envyard_flash"


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


templates.env.filters["when"] = _when


def _pop_flash(request: Request) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    kind, _, message = unquote(raw).partition("|")
    return (kind if kind in ("ok", "error") else "ok"), message


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """The page, with every URL credential masked (``user:***@``, :mod:`envyard.registry.masking`):
    channels, package files, pip indexes; the edit form's ``***`` are restored when saved."""
    flash = _pop_flash(request)
    values = {
        "user": current_user(request),
        "csrf": csrf_token(request),
        "flash": flash,
        "version": __version__,
        "path": request.url.path,
        **context,
    }
    response = templates.TemplateResponse(request, template, values, status_code=status)
    shown = mask_text(bytes(response.body).decode()).encode()  # URL credentials: see below
    if shown != response.body:
        response.body = shown
        response.headers["content-length"] = str(len(shown))
    remember_csrf(request, response)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE)
    protect(response)
    return response


def flash_redirect(url: str, message: str, kind: str = "ok") -> RedirectResponse:
    """Redirect after a POST, showing *message* once on the next page."""
    response = RedirectResponse(url, status_code=303)
    protect(response)
    response.set_cookie(
        FLASH_COOKIE, quote(f"{kind}|{message}"), httponly=True, samesite="strict", max_age=60
    )
    return response


def error_lines(exc: EnvyardError) -> list[str]:
    if isinstance(exc, SpecError):
        return [d.render() for d in exc.diagnostics]
    return [str(exc)]


def status_of(exc: EnvyardError) -> int:
    from envyard.service.errors import status_of as api_status

    return api_status(exc)


def render_error(request: Request, exc: EnvyardError) -> HTMLResponse:
    """A page explaining *exc* with the status the API would use."""
    title = "Sign in needed" if isinstance(exc, AuthError) else "Something is wrong"
    return render(
        request, "error.html", status_of(exc), title=title, errors=error_lines(exc), hint=None
    )
