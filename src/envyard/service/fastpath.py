"""``FastReads(app)``: a plain ASGI fast path in front of the FastAPI app for the hottest request.

Reading one version (``GET /api/v1/environments/{ref}``, same for prerequisites) is most of a
registry's traffic; through FastAPI's routing, dependencies and response machinery it costs
several times what the lookup itself does. This layer answers exactly that request with the
same bytes and headers as the route (it builds them with the route's own
:func:`~envyard.service.routes.responses.record_response`) and hands everything else to the
app untouched.

Freshness, which must be exact: each answer is kept with the metastore's change stamp read
*before* it was computed (:mod:`envyard.registry.freshness`: SQLite's ``data_version``,
PostgreSQL's current snapshot); it is served again only while the stamp is unchanged, i.e.
nobody (another worker, the CLI, another host) committed anything since. Otherwise (and
always when there is no stamp) the service's ``get_json`` runs in the thread pool, like the
route, so a GET never returns older data than the route would.

Tokens: reads are anonymous unless the app requires a token for them. A token that is sent is
always checked, like the route does: a valid one (known, not revoked) is remembered with the
stamp it was checked at, so revoking it (a commit) takes effect on the next request.

What falls through to the app (which then behaves exactly as without this layer): any other
method or path, a ``root_path``, ``If-None-Match``, an ``Authorization`` header that is not
one well-formed bearer token, an unknown or revoked token, no token when reads need one, apps
with user middleware (CORS and the like must see every request), and every request whose
lookup fails (not found, archived, invalid ref, database errors): the route gives the exact
response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from fastapi import FastAPI

from envyard.registry.freshness import Freshness, freshness_of
from envyard.registry.kinds import VersionedRecord
from envyard.registry.records import scope_allows
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.registry.tokens import hash_token
from envyard.service.routes.responses import record_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PREFIX = "/api/v1/"
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class Answer:
    """A ready response: what the route would send for one record."""

    record: VersionedRecord
    stamp: Hashable | None
    headers: list[tuple[bytes, bytes]]
    body: bytes


def answer_for(record: VersionedRecord, body: bytes, stamp: Hashable | None) -> Answer:
    response = record_response(record, body=body)
    return Answer(record, stamp, list(response.raw_headers), bytes(response.body))


def bearer_token(value: bytes) -> str | None:
    """The token of ``Authorization: Bearer TOKEN`` as the route's HTTPBearer reads it."""
    scheme, _, token = value.decode("latin-1").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class FastReads:
    """The ASGI app ``envyard serve`` runs: the fast GET path, then ``app`` for the rest."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        registry = app.state.registry
        assert isinstance(registry, Registry)  # noqa: S101 - set by create_app
        self.services: dict[str, RegistryService] = {
            "environments": registry.environments,
            "prerequisites": registry.prerequisites,
        }
        self.tokens = registry.tokens
        self.freshness: Freshness | None = freshness_of(registry.db)
        self.answers: dict[tuple[str, str], Answer] = {}
        self.known_tokens: dict[str, Hashable] = {}
        """sha256 of a valid token -> the stamp it was checked at."""
        self._enabled: bool | None = None

    def enabled(self) -> bool:
        """Decided on the first request, once the app's middleware is final."""
        if self._enabled is None:
            self._enabled = not self.app.user_middleware
        return self._enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = await self._answer(scope)
            if answer is not None:
                await send(
                    {"type": "http.response.start", "status": 200, "headers": answer.headers}
                )
                await send({"type": "http.response.body", "body": answer.body})
                return
        elif scope["type"] == "lifespan":
            receive = self._closing_on_shutdown(receive)
        await self.app(scope, receive, send)

    def _closing_on_shutdown(self, receive: Receive) -> Receive:
        """``receive`` that closes the stamp connections when the server shuts down."""

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown" and self.freshness is not None:
                await self.freshness.aclose()
            return message

        return wrapped

    async def _answer(self, scope: Scope) -> Answer | None:
        path: str = scope["path"]
        if not path.startswith(PREFIX) or scope.get("root_path") or not self.enabled():
            return None
        kind, _, ref = path[len(PREFIX) :].partition("/")
        service = self.services.get(kind)
        if service is None or not ref or "/" in ref:
            return None
        token: str | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                if token is not None:
                    return None  # two of them: the route decides
                token = bearer_token(value)
                if token is None:
                    return None  # not a bearer token: the route decides
            elif name == b"if-none-match":
                return None
        if token is None and self.app.state.require_read_token:
            return None  # the route refuses it (401)
        stamp = await self.freshness.stamp() if self.freshness is not None else None
        if token is not None and not await self.token_is_valid(token, stamp):
            return None  # unknown or revoked: the route refuses it (401)
        return await self.lookup(kind, service, ref, stamp)

    async def token_is_valid(self, token: str, stamp: Hashable | None) -> bool:
        """Known and not revoked (any scope may read), checked again after every commit."""
        digest = hash_token(token)
        if stamp is not None and self.known_tokens.get(digest) == stamp:
            return True
        try:
            record = await to_thread.run_sync(self.tokens.authenticate, token)
        except Exception:  # the route reports it
            return False
        if record is None or not scope_allows(record.scope, "read"):
            self.known_tokens.pop(digest, None)
            return False
        if len(self.known_tokens) >= MAX_ENTRIES:
            self.known_tokens.clear()
        self.known_tokens[digest] = stamp
        return True

    async def lookup(
        self, kind: str, service: RegistryService, ref: str, stamp: Hashable | None
    ) -> Answer | None:
        """The answer for ``ref``: kept while ``stamp`` holds, else asked of the service.

        ``stamp`` must have been read after the request arrived.
        """
        key = (kind, ref)
        kept = self.answers.get(key)
        if kept is not None and stamp is not None and kept.stamp == stamp:
            return kept
        try:
            record, body = await to_thread.run_sync(service.get_json, ref)
        except Exception:  # every failure is the route's to report, exactly
            return None
        if kept is not None and kept.record is record:  # the service's cache gave the same
            answer = Answer(record, stamp, kept.headers, kept.body)
        else:
            answer = answer_for(record, body, stamp)
        if len(self.answers) >= MAX_ENTRIES and key not in self.answers:
            self.answers.clear()  # refs are client text: keep the memory bounded
        self.answers[key] = answer
        return answer
