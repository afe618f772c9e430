"""Read-only registry pages: locked packages of an environment version, the changes since the
version before, finding environments by package, and the reusable job prerequisites.

- ``/environments/{name}/packages?version=V&against=W&platform=P``: the version's lock (every
  conda and pip package, exact versions, builds and files) and its package-level diff against
  ``against`` (default: the version before it);
- ``/packages?q=torch>=2``: current versions whose lock holds a matching package;
- ``/prerequisites`` and ``/prerequisites/{name}``: the marketplace.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from envyard.errors import EnvyardError, SpecError
from envyard.registry.records import EnvironmentRecord, PrerequisiteRecord
from envyard.service.ui import views
from envyard.service.ui.rendering import render, render_error, router
from envyard.service.ui.session import registry_of, require


@router.get("/prerequisites", response_class=HTMLResponse)
def prerequisite_list(request: Request, q: str = "") -> Response:
    try:
        require(request, "read")
        page = registry_of(request).prerequisites.list(limit=500)
    except EnvyardError as exc:
        return render_error(request, exc)
    needle = q.strip().casefold()
    items = [
        r
        for r in page.items
        if isinstance(r, PrerequisiteRecord)
        and (not needle or needle in f"{r.name} {r.type} {r.description}".casefold())
    ]
    return render(request, "prerequisites.html", records=items, q=q, total=page.total)


@router.get("/prerequisites/{name}", response_class=HTMLResponse)
def prerequisite_detail(request: Request, name: str, version: str | None = None) -> Response:
    try:
        require(request, "read")
        service = registry_of(request).prerequisites
        record = service.get(name if version is None else f"{name}@{version}")
        history: list[Any] = service.versions(name, include_archived=True)
    except EnvyardError as exc:
        return render_error(request, exc)
    assert isinstance(record, PrerequisiteRecord)  # noqa: S101 - the prerequisites service
    usage = views.to_yaml({"taskRoles": {"train": {"prerequisites": [record.name]}}})
    return render(
        request,
        "prerequisite.html",
        record=record,
        versions=history,
        yaml_text=views.to_yaml(record.document),
        usage=usage,
    )


def _platform(lock: Any, wanted: str | None) -> str | None:
    if lock is None or not lock.platforms:
        return None
    return wanted if wanted in lock.platforms else next(iter(lock.platforms))


@router.get("/environments/{name}/packages", response_class=HTMLResponse)
def environment_packages(
    request: Request,
    name: str,
    version: str | None = None,
    against: str | None = None,
    platform: str | None = None,
) -> Response:
    try:
        require(request, "read")
        service = registry_of(request).environments
        record = service.get(name if version is None else f"{name}@{version}")
        assert isinstance(record, EnvironmentRecord)  # noqa: S101 - the environments service
        history = [
            r.version
            for r in service.versions(name, include_archived=True)
            if isinstance(r, EnvironmentRecord)
        ]
        locked = service.lock(record.ref)
        chosen = _platform(locked.lock, platform)
        old = f"{name}@{against}" if against else None
        diff = service.diff(record.ref, old, platform=chosen)
    except EnvyardError as exc:
        return render_error(request, exc)
    packages = locked.lock.platforms[chosen] if locked.lock and chosen else None
    return render(
        request,
        "packages.html",
        record=record,
        locked=locked,
        platform=chosen,
        packages=packages,
        diff=diff,
        against=diff.old.partition("@")[2],
        others=[v for v in history if v != record.version],
    )


@router.get("/packages", response_class=HTMLResponse)
def package_search(request: Request, q: str = "") -> Response:
    error = ""
    found: list[Any] = []
    try:
        require(request, "read")
        if q.strip():
            found = registry_of(request).environments.search_packages(q, limit=200)
    except SpecError as exc:
        error = exc.diagnostics[0].message if exc.diagnostics else str(exc)
    except EnvyardError as exc:
        return render_error(request, exc)
    return render(request, "package_search.html", q=q, found=found, error=error)
