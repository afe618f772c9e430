"""FastAPI dependencies: the registry of the app, and who is calling with which scope.

Reads are anonymous unless the app was created with ``require_read_token`` (or
``ENVYARD_REQUIRE_READ_TOKEN=1``); writes need a ``write`` token, token management ``admin``.
A token that is sent but unknown or revoked is always refused (401).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from envyard.errors import AuthError
from envyard.registry.records import Scope, scope_allows
from envyard.registry.store import Registry

bearer = HTTPBearer(
    auto_error=False,
    description="An Envyard API token: `envyard token create --name NAME --scope write`.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Principal:
    """Who calls: a token's name and scope, or ``anonymous`` (scope None)."""

    name: str
    scope: str | None = None
    token_id: str | None = None

    @property
    def actor(self) -> str | None:
        """What is recorded as ``created_by`` / ``updated_by``."""
        return None if self.scope is None else f"token:{self.name}"


ANONYMOUS = Principal("anonymous")


async def get_registry(request: Request) -> Registry:
    """The app's registry (async: no thread hop for a dependency that does no I/O)."""
    return registry_of(request)


def registry_of(request: Request) -> Registry:
    registry = request.app.state.registry
    assert isinstance(registry, Registry)  # noqa: S101 - set by create_app
    return registry


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        return ANONYMOUS
    tokens = registry_of(request).tokens
    record = await run_in_threadpool(tokens.authenticate, credentials.credentials)
    if record is None:
        raise AuthError(
            "the API token is unknown or revoked",
            status=401,
            hint="create a new one with `envyard token create`",
        )
    return Principal(record.name, record.scope, record.id)


def require(
    scope: Scope,
) -> Callable[[Request, HTTPAuthorizationCredentials | None], Awaitable[Principal]]:
    """A dependency that lets the request through only with ``scope`` (or a wider one)."""

    async def dependency(request: Request, credentials: Credentials) -> Principal:
        principal = await authenticate(request, credentials)
        if scope == "read" and not request.app.state.require_read_token:
            return principal
        if principal.scope is None:
            raise AuthError(
                f"this needs an API token with the '{scope}' scope",
                status=401,
                hint="send `Authorization: Bearer <token>` (envyard: --token or ENVYARD_TOKEN); "
                f"create one with `envyard token create --scope {scope}`",
            )
        if not scope_allows(principal.scope, scope):
            raise AuthError(
                f"token '{principal.name}' has the '{principal.scope}' scope; this needs '{scope}'",
                status=403,
                hint=f"use a token created with `--scope {scope}`",
            )
        return principal

    return dependency


Reader = Annotated[Principal, Depends(require("read"))]
Writer = Annotated[Principal, Depends(require("write"))]
Admin = Annotated[Principal, Depends(require("admin"))]
RegistryDep = Annotated[Registry, Depends(get_registry)]
