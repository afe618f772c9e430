"""Read-only pages: environment list and detail (with the runs that used it), static files."""

from __future__ import annotations

import math
from importlib import resources
from typing import Annotated, Any

from fastapi import Query, Request, Response
from fastapi.responses import HTMLResponse

from envyard.errors import EnvyardError, NotFoundError
from envyard.jobs import runlogs
from envyard.registry.records import EnvironmentRecord
from envyard.service.headers import protect
from envyard.service.ui import views
from envyard.service.ui.rendering import render, render_error, router
from envyard.service.ui.session import registry_of, require

PAGE_SIZE = 50
_FETCH = 500
_STATIC = {"app.css": "text/css", "layout.css": "text/css", "app.js": "text/javascript"}


def _environments(request: Request, tags: list[str], state: str | None) -> list[EnvironmentRecord]:
    service = registry_of(request).environments
    found: list[EnvironmentRecord] = []
    offset = 0
    while True:
        page = service.list(tag=tags, state=state, limit=_FETCH, offset=offset)
        found.extend(r for r in page.items if isinstance(r, EnvironmentRecord))
        offset += _FETCH
        if offset >= page.total:
            return found


@router.get("/", response_class=HTMLResponse)
def environment_list(
    request: Request,
    q: str = "",
    tag: Annotated[list[str] | None, Query()] = None,
    state: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    try:
        require(request, "read")
        tags = [t for t in (tag or []) if t.strip()]
        wanted = state if state in ("active", "deprecated", "archived") else None
        records = _environments(request, tags, wanted)
    except EnvyardError as exc:
        return render_error(request, exc)
    shown = [r for r in records if views.matches_query(r, q)]
    pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
    page = min(page, pages)
    return render(
        request,
        "index.html",
        records=shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(shown),
        q=q,
        tags=tags,
        state=wanted or "",
        page=page,
        pages=pages,
        known_tags=views.all_tags(records),
        views=views,
    )


@router.get("/create", response_class=HTMLResponse)
def new_environment(request: Request) -> Response:
    return render(request, "new.html", yaml_text="", conda={}, errors=[], mode="yaml")


@router.get("/environments/{name}", response_class=HTMLResponse)
def environment_detail(request: Request, name: str, version: str | None = None) -> Response:
    try:
        require(request, "read")
        service = registry_of(request).environments
        history: list[Any] = service.versions(name, include_archived=True)
        versions = [r for r in history if isinstance(r, EnvironmentRecord)]
        if not versions:
            raise NotFoundError(f"environment '{name}' has no versions")
        current = service.get(name) if version is None else service.get(f"{name}@{version}")
    except EnvyardError as exc:
        return render_error(request, exc)
    assert isinstance(current, EnvironmentRecord)  # noqa: S101 - the environments service
    return render(
        request,
        "env_detail.html",
        record=current,
        runs=runlogs.runs_of_environment(registry_of(request), name),
        versions=versions,
        yaml_text=views.environment_yaml(current),
        commands=views.launch_commands(current),
        views=views,
    )


@router.get("/environments/{name}/edit", response_class=HTMLResponse)
def edit_environment(request: Request, name: str) -> Response:
    """A new version, starting from the current one's YAML (without its version)."""
    try:
        require(request, "read")
        current = registry_of(request).environments.get(name)
    except EnvyardError as exc:
        return render_error(request, exc)
    assert isinstance(current, EnvironmentRecord)  # noqa: S101 - the environments service
    return render(
        request,
        "edit.html",
        record=current,
        yaml_text=views.environment_yaml(current, with_version=False),
        etag=current.etag,
        errors=[],
    )


@router.get("/ui/static/{name}")
def static(name: str) -> Response:
    media = _STATIC.get(name)
    if media is None:
        return protect(Response("not found", status_code=404, media_type="text/plain"))
    text = resources.files("envyard.service.ui").joinpath("static", name).read_text("utf-8")
    return protect(Response(text, media_type=media, headers={"Cache-Control": "max-age=300"}))
