"""Who is using the UI: the API token in a cookie, its scope, and CSRF protection for forms.

The token is validated by the registry's token store on every request, exactly like an
``Authorization: Bearer`` header: writes need the ``write`` scope (401 without a token, 403
with a weaker one). Every form carries ``csrf``, which must equal the ``envyard_csrf``
cookie (double submit); both cookies are ``SameSite=Strict``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from envyard.errors import AuthError
from envyard.registry.records import Scope, scope_allows
from envyard.registry.store import Registry

__all__ = ["CSRF_COOKIE", "TOKEN_COOKIE", "UiUser", "check_csrf", "current_user", "require"]

TOKEN_COOKIE = "envyard_token"  # noqa: S105 - a cookie name, not a secret
CSRF_COOKIE = "envyard_csrf"


@dataclass(frozen=True)
class UiUser:
    """The token behind the session (``name``/``scope`` None when signed out)."""

    name: str | None = None
    scope: str | None = None
    invalid: bool = False  # a cookie was sent but the token is unknown or revoked

    @property
    def actor(self) -> str | None:
        return f"token:{self.name}" if self.name else None

    def can(self, scope: Scope) -> bool:
        return self.scope is not None and scope_allows(self.scope, scope)


def registry_of(request: Request) -> Registry:
    registry = request.app.state.registry
    assert isinstance(registry, Registry)  # noqa: S101 - set by create_app
    return registry


def current_user(request: Request) -> UiUser:
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return UiUser()
    record = registry_of(request).tokens.authenticate(token)
    if record is None:
        return UiUser(invalid=True)
    return UiUser(record.name, record.scope)


def require(request: Request, scope: Scope) -> UiUser:
    """The user, if their token has *scope*; else AuthError (401 no token, 403 weaker)."""
    user = current_user(request)
    if scope == "read" and not request.app.state.require_read_token:
        return user
    if user.scope is None:
        reason = "your token is unknown or revoked" if user.invalid else "you are not signed in"
        raise AuthError(
            f"{reason}: this needs an API token with the '{scope}' scope",
            status=401,
            hint=f"paste a token from `envyard token create --scope {scope}` in the token box",
        )
    if not user.can(scope):
        raise AuthError(
            f"token '{user.name}' has the '{user.scope}' scope; this needs '{scope}'",
            status=403,
            hint=f"sign in with a token created with `--scope {scope}`",
        )
    return user


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (a new one when it has none yet)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = request.state.__dict__.setdefault("new_csrf", secrets.token_urlsafe(24))
    return token


def remember_csrf(request: Request, response: Response) -> None:
    """Set the CSRF cookie on *response* if this request minted one."""
    new = request.state.__dict__.get("new_csrf")
    if new:
        response.set_cookie(
            CSRF_COOKIE, new, httponly=True, samesite="strict", secure=_secure(request)
        )


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise AuthError(
            "the form is out of date (CSRF check failed)", status=403, hint="reload the page"
        )


def set_token(request: Request, response: Response, token: str | None) -> None:
    if token:
        response.set_cookie(
            TOKEN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
        )
    else:
        response.delete_cookie(TOKEN_COOKIE)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
