"""Read-only pages for the registry's reusable job prerequisites (the marketplace)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from envyard.errors import EnvyardError
from envyard.registry.records import PrerequisiteRecord
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
