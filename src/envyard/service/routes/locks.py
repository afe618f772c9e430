"""REST resources of environment locks, added to ``/api/v1/environments`` before ``/{ref}``.

- ``GET /-/search?package=torch>=2``: current versions whose lock holds a matching package
  (``-`` is never a name, so this cannot shadow an environment);
- ``GET /{ref}/lock``: the version's lock (``spec_hash``, ``lock_hash``, ``lock``; URL
  credentials masked: the lock stored keeps them for installs);
- ``GET /{ref}/diff?base=REF&platform=P``: package changes from ``base`` (default: the version
  before ``ref``) to ``ref``;
- ``POST /{name}/relock?platform=P``: a new version, the current spec locked again (write).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from envyard.locking.diff import LockDiff
from envyard.locking.search import PackageMatch
from envyard.registry.kinds import ENVIRONMENT
from envyard.registry.records import VersionLock
from envyard.registry.service import RegistryService
from envyard.service.deps import Reader, RegistryDep, Writer
from envyard.service.routes.responses import record_response

__all__ = ["add_lock_routes"]


def _json(body: str, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json")


def add_lock_routes(router: APIRouter, service: Callable[[Any], RegistryService]) -> None:
    shown = ENVIRONMENT.shown  # channel and file URLs with their credentials masked

    @router.get("/-/search", response_model=list[PackageMatch])
    def search(
        registry: RegistryDep,
        _who: Reader,
        package: Annotated[str, Query(description="A name, optionally constrained: torch>=2")],
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> Response:
        """Environments (current versions) whose lock holds a package matching ``package``."""
        found = service(registry).search_packages(package, limit=limit)
        return _json(shown("[" + ",".join(m.model_dump_json() for m in found) + "]"))

    @router.get("/{ref}/lock", response_model=VersionLock)
    def lock(ref: str, registry: RegistryDep, _who: Reader) -> Response:
        """The exact packages of a version (immutable: what every launch installs)."""
        return _json(shown(service(registry).lock(ref).model_dump_json()))

    @router.get("/{ref}/diff", response_model=LockDiff)
    def diff(
        ref: str,
        registry: RegistryDep,
        _who: Reader,
        base: Annotated[str | None, Query(description="Default: the version before.")] = None,
        platform: Annotated[str | None, Query()] = None,
    ) -> Response:
        """Packages added, removed, upgraded and downgraded from ``base`` to ``ref``."""
        found = service(registry).diff(ref, base, platform=platform)
        return _json(shown(found.model_dump_json()))

    @router.post("/{name}/relock", status_code=201)
    def relock(
        name: str,
        registry: RegistryDep,
        who: Writer,
        platform: Annotated[list[str] | None, Query()] = None,
    ) -> Response:
        """A new version of ``name``: its current spec, locked again now."""
        record = service(registry).relock(name, platforms=platform or (), by=who.actor)
        return record_response(record, 201)
