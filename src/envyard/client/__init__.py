"""The Envyard SDK: one :class:`Client`, the same methods in-process or over HTTP.

Modules: ``api`` (the namespaces ``environments``, ``prerequisites``, ``runs``, ``tokens``),
``transport`` (the :class:`Transport` Protocol both ways share), ``local`` (in-process, on the
local metastore's service layer), ``http`` (a server's REST API through httpx).

::

    from envyard import Client

    client = Client()                                    # the local metastore (ENVYARD_DB_URL)
    client = Client("http://envyard:8000", token="...")  # an Envyard server, via httpx
    client = Client.from_settings()                      # ENVYARD_URL / ENVYARD_TOKEN if set

    rec = client.environments.create({"name": "team", "image": "python:3.11-slim",
                                      "kernel": ["six"]})           # -> EnvironmentRecord
    rec.ref                                             # "team@1"
    client.environments.get("team")                     # newest active version
    client.environments.get("team@1")                   # exactly that one (even archived)
    client.environments.list(tag="GPU", prefix="te", state=None, limit=50, offset=0)  # Page
    client.environments.versions("team")                # newest first
    client.environments.update("team", {"description": "new"})   # merge -> "team@2"
    client.environments.update("team", Environment(...))          # full spec -> new version
    client.environments.update("team", {...}, if_match=rec.etag)  # 412 if it changed since
    client.environments.deprecate("team", replaced_by="team2", delete_on="2026-12-31")
    client.environments.archive("team")                 # hidden from lists, refs still work
    client.environments.delete("team")                  # gone for good
    client.environments.resolve("team")                 # the exact version "team" means now
    client.environments.lock("team@1").lock             # its exact packages (envyard.locking.Lock)
    client.environments.diff("team@2")                  # package changes from team@1
    client.environments.relock("team")                  # a new version, locked again now
    client.environments.search_packages("torch>=2")     # versions whose lock holds a match

    client.prerequisites.create({"name": "mnist", "type": "data", "uri": ["..."]})
    client.prerequisites.get("mnist").spec()            # -> envyard.spec.job.Prerequisite

    run = client.runs.create("train", spec, target="local", backend="local")  # -> RunRecord
    client.runs.update(run.id, state="running", started_at=now, handle={"pid": 1})
    client.runs.get(run.id); client.runs.list(state="failed", limit=20)
    client.runs.logs(run.id)             # its output so far; .follow_logs(run.id): live lines

    record, token = client.tokens.create("ci", scope="write")   # also .list(), .revoke(id)

Records (frozen pydantic models, :mod:`envyard.registry.records`):

- :class:`EnvironmentRecord`: ``name, version, description, image, vm_image, kernel, tags,
  state ("active"|"deprecated"|"archived"), content_hash, replaced_by, delete_on, created_by,
  created_at, updated_by, updated_at, etag``; ``.ref`` is ``"name@version"``, ``.spec()`` the
  :class:`~envyard.spec.environment.Environment`.
- :class:`PrerequisiteRecord`: the same lifecycle fields plus ``type, plugin, document``;
  ``.spec()`` is the :class:`~envyard.spec.job.Prerequisite`.
- :class:`RunRecord`: ``id, job_name, spec (secrets masked), target, backend, state
  ("pending"|"running"|"succeeded"|"failed"|"cancelled"), created_at, started_at, finished_at,
  exit_code, handle, run_dir``. Over HTTP runs are read-only.
- :class:`Page`: ``items, total, limit, offset`` (iterable over ``items``).

Errors are the :mod:`envyard.errors` tree in both modes: ``SpecError`` (bad body, with
located diagnostics), ``NotFoundError``, ``ConflictError`` (exists / immutable / archived),
``PreconditionFailedError`` (a ``ConflictError``: ``if_match`` did not match), ``AuthError``
(``status`` 401 without a token, 403 without the scope), ``ConfigError`` (server unreachable).
"""

from __future__ import annotations

from types import TracebackType

from envyard.client.api import Environments, Runs, Tokens, Versioned
from envyard.client.transport import Transport
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.records import (
    EnvironmentRecord,
    Page,
    PrerequisiteRecord,
    RunRecord,
    TokenRecord,
)
from envyard.settings import Settings, load_settings
from envyard.spec.job import Prerequisite

__all__ = [
    "Client",
    "EnvironmentRecord",
    "Page",
    "PreconditionFailedError",
    "PrerequisiteRecord",
    "RunRecord",
    "TokenRecord",
]


class Client:
    """The registry, in-process (no ``url``) or over HTTP (``url``, optional ``token``)."""

    environments: Environments
    prerequisites: Versioned[PrerequisiteRecord, Prerequisite]
    runs: Runs
    tokens: Tokens

    def __init__(
        self, url: str | None = None, token: str | None = None, settings: Settings | None = None
    ) -> None:
        self.settings = settings or load_settings()
        transport: Transport
        if url:
            from envyard.client.http import HttpTransport

            transport = HttpTransport(url, token if token is not None else self.settings.token)
        else:
            from envyard.client.local import LocalTransport

            transport = LocalTransport(self.settings.db_url)
        self.transport = transport
        self.environments = Environments(transport)
        self.prerequisites = Versioned(transport, "prerequisites")
        self.runs = Runs(transport)
        self.tokens = Tokens(transport)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Client:
        """HTTP when ``ENVYARD_URL`` is set (with ``ENVYARD_TOKEN``), else in-process."""
        settings = settings or load_settings()
        return cls(settings.url, settings.token, settings)

    @property
    def remote(self) -> bool:
        """True when this client talks to a server."""
        return type(self.transport).__name__ == "HttpTransport"

    @property
    def where(self) -> str:
        """The server URL or the metastore URL (password hidden)."""
        return self.transport.where

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.where!r})"
