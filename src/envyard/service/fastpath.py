"""``FastReads(app)``: a plain ASGI fast path in front of the FastAPI app for the hottest request.

Reading one version (``GET /api/v1/environments/{ref}``, same for prerequisites) is most of a
registry's traffic; through FastAPI's routing, dependencies and response machinery it costs
several times what the lookup itself does. This layer answers exactly that request with the
same bytes and headers as the route (it builds them with the route's own
:func:`~envyard.service.routes.versioned.record_response`) and hands everything else to the
app untouched.

Freshness, which must be exact: each answer is kept with the metastore's change stamp read
*before* it was computed (:mod:`envyard.registry.freshness`: SQLite's ``data_version``,
PostgreSQL's current snapshot); it is served again only while the stamp is unchanged, i.e.
nobody (another worker, the CLI, another host) committed anything since. Otherwise (and
always when there is no stamp) the service's ``get_json`` runs in the thread pool, like the
route, so a GET never returns older data than the route would.

What falls through to the app (which then behaves exactly as without this layer): any other
method or path, a ``root_path``, an ``Authorization`` header (a sent token must be checked,
and an unknown one refused), ``If-None-Match``, apps that need a token for reads, apps with
user middleware (CORS and the like must see every request), and every request whose lookup
fails (not found, archived, invalid ref, database errors): the route gives the exact error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from fastapi import FastAPI

from envyard.registry.freshness import Freshness, freshness_of
from envyard.registry.kinds import VersionedRecord
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.service.routes.versioned import record_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PREFIX = "/api/v1/"
KINDS = ("environments", "prerequisites")
MAX_ENTRIES = 1024
_FALL_THROUGH_HEADERS = frozenset({b"authorization", b"if-none-match"})


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
        self.freshness: Freshness | None = freshness_of(registry.db)
        self.answers: dict[tuple[str, str], Answer] = {}
        self._enabled: bool | None = None

    def enabled(self) -> bool:
        """Decided on the first request, once the app's middleware is final."""
        if self._enabled is None:
            self._enabled = not self.app.state.require_read_token and not self.app.user_middleware
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
        for name, _value in scope["headers"]:
            if name in _FALL_THROUGH_HEADERS:
                return None
        return await self.lookup(kind, service, ref)

    async def lookup(self, kind: str, service: RegistryService, ref: str) -> Answer | None:
        """The answer for ``ref``: kept while the stamp holds, else asked of the service."""
        key = (kind, ref)
        kept = self.answers.get(key)
        stamp = await self.freshness.stamp() if self.freshness is not None else None
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
