"""REST resources of a versioned kind: ``/api/v1/environments`` and ``/api/v1/prerequisites``.

``{ref}`` is ``name`` (the current version) or ``name@version``. Environments also have
``GET {ref}/lock``, ``GET {ref}/diff``, ``POST {name}/relock`` and ``GET -/search``
(:mod:`envyard.service.routes.locks`); writes take ``?platform=`` to lock more platforms.
An environment's URL credentials are masked in every response (:mod:`envyard.registry.masking`).
Every response about one object carries ``ETag`` (the name's revision);
``PUT``/``PATCH``/``deprecate``/``archive``/``DELETE`` honour ``If-Match`` (412 when it does
not match) and ``GET`` honours ``If-None-Match`` (304). A deprecated version is served with
``Deprecation: true``, a ``Sunset`` date when ``delete_on`` is set, and
``Link: <...>; rel="successor-version"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Response
from pydantic import BaseModel, ConfigDict

from envyard.registry import MAX_OFFSET
from envyard.registry.kinds import VersionedRecord
from envyard.registry.records import Page
from envyard.registry.service import RegistryService
from envyard.service.deps import Reader, RegistryDep, Writer
from envyard.service.routes.locks import add_lock_routes
from envyard.service.routes.responses import record_json, record_response

IfMatch = Annotated[str | None, Header(description="ETag from a GET; 412 when it changed.")]
IfNoneMatch = Annotated[str | None, Header()]
SpecBody = Annotated[dict[str, Any], Body(description="The spec, as in a YAML spec file.")]
Platforms = Annotated[
    list[str] | None,
    Query(description="Lock for these platforms too (linux-64, osx-arm64...); repeat."),
]
EXAMPLES: dict[str, dict[str, Any]] = {
    "environments": {
        "name": "team-default",
        "description": "The environment most of team ABC uses.",
        "image": "docker.io/library/python:3.11-slim",
        "kernel": {
            "name": "team_py311",
            "channels": ["defaults"],
            "dependencies": ["python=3.11", {"pip": ["six==1.16.0"]}],
        },
        "tags": {"Python": "3.11", "GPU": ""},
    },
    "prerequisites": {
        "name": "mnist-data",
        "type": "data",
        "plugin": "data",
        "uri": ["https://example.com/mnist.tar.gz"],
        "mountPath": "/data/mnist",
    },
}


class DeprecateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    replaced_by: str | None = None
    delete_on: dt.date | None = None


def _not_modified(record: VersionedRecord, if_none_match: str | None) -> bool:
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/").strip('"') for t in if_none_match.split(",")}
    return "*" in tags or record.etag in tags


def versioned_router(attr: Literal["environments", "prerequisites"], model: type[Any]) -> APIRouter:
    """The routes of one kind; ``attr`` names the service on the Registry."""
    router = APIRouter(prefix=f"/api/v1/{attr}", tags=[attr])
    example = {"requestBody": {"content": {"application/json": {"example": EXAMPLES[attr]}}}}
    created: dict[int | str, dict[str, Any]] = {201: {"model": model}}
    one: dict[int | str, dict[str, Any]] = {200: {"model": model}}

    def service(registry: Any) -> RegistryService:
        found: RegistryService = getattr(registry, attr)
        return found

    @router.post("", status_code=201, responses=created, openapi_extra=example)
    def create(
        body: SpecBody, registry: RegistryDep, who: Writer, platform: Platforms = None
    ) -> Response:
        """Create a new name with its first version (an environment's kernel is locked)."""
        record = service(registry).create(body, by=who.actor, platforms=platform or ())
        return record_response(record, 201)

    if attr == "environments":
        add_lock_routes(router, service)

    @router.get("", response_model=Page[model])  # type: ignore[valid-type]
    def list_(
        *,
        registry: RegistryDep,
        _who: Reader,
        tag: Annotated[
            list[str] | None, Query(description="KEY or KEY=VALUE; repeat = all")
        ] = None,
        prefix: Annotated[str | None, Query(description="Names starting with this.")] = None,
        state: Annotated[
            Literal["active", "deprecated", "archived"] | None,
            Query(description="Default: active and deprecated (archived are hidden)."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Response:
        """One row per name (its current version), sorted by name."""
        page = service(registry).list(
            tag=tag, prefix=prefix, state=state, limit=limit, offset=offset
        )
        shown = service(registry).kind.shown(page.model_dump_json())
        return Response(shown, media_type="application/json")

    @router.get("/{ref}", responses=one)
    def get(
        ref: str, registry: RegistryDep, _who: Reader, if_none_match: IfNoneMatch = None
    ) -> Response:
        """``name``: newest active (else newest deprecated) version; ``name@version``: exact."""
        record, body = service(registry).get_json(ref)
        if _not_modified(record, if_none_match):
            return Response(status_code=304, headers={"ETag": f'"{record.etag}"'})
        return record_response(record, body=body)

    @router.get("/{ref}/resolve", responses=one)
    def resolve(ref: str, registry: RegistryDep, _who: Reader) -> Response:
        """The exact version ``ref`` stands for now (what a job or launch would use)."""
        return record_response(service(registry).resolve(ref))

    @router.get("/{name}/versions", response_model=list[model])  # type: ignore[valid-type]
    def versions(
        name: str,
        registry: RegistryDep,
        _who: Reader,
        include_archived: Annotated[bool, Query()] = False,
    ) -> Response:
        """Every version, newest first."""
        records = service(registry).versions(name, include_archived=include_archived)
        body = "[" + ",".join(record_json(r) for r in records) + "]"
        return Response(body, media_type="application/json")

    @router.get("/{name}/versions/{version}", responses=one)
    def get_version(name: str, version: str, registry: RegistryDep, _who: Reader) -> Response:
        """One version, in any state (archived included)."""
        return record_response(service(registry).get(f"{name}@{version}"))

    @router.put("/{name}", status_code=201, responses=created, openapi_extra=example)
    def replace(
        *, name: str, body: SpecBody, registry: RegistryDep, who: Writer, if_match: IfMatch = None,
        platform: Platforms = None,
    ) -> Response:  # fmt: skip
        """Add a version from a full spec (its ``name`` must be ``{name}``)."""
        record = service(registry).update(
            name, body, replace=True, by=who.actor, if_match=if_match, platforms=platform or ()
        )
        return record_response(record, 201)

    @router.patch("/{name}", status_code=201, responses=created)
    def patch(
        *, name: str, body: SpecBody, registry: RegistryDep, who: Writer, if_match: IfMatch = None,
        platform: Platforms = None,
    ) -> Response:  # fmt: skip
        """Add a version from changes to the newest one (a key set to null is removed)."""
        record = service(registry).update(
            name, body, replace=False, by=who.actor, if_match=if_match, platforms=platform or ()
        )
        return record_response(record, 201)

    @router.post("/{ref}/deprecate", responses=one)
    def deprecate(
        ref: str,
        registry: RegistryDep,
        who: Writer,
        body: Annotated[DeprecateBody | None, Body()] = None,
        if_match: IfMatch = None,
    ) -> Response:
        """Deprecate ``name@version``, or every active version of ``name``."""
        body = body or DeprecateBody()
        record = service(registry).deprecate(
            ref, replaced_by=body.replaced_by, delete_on=body.delete_on, by=who.actor,
            if_match=if_match,
        )  # fmt: skip
        return record_response(record)

    @router.post("/{ref}/archive", responses=one)
    def archive(ref: str, registry: RegistryDep, who: Writer, if_match: IfMatch = None) -> Response:
        """Hide from lists; exact versions keep resolving."""
        return record_response(service(registry).archive(ref, by=who.actor, if_match=if_match))

    @router.delete("/{ref}", status_code=204)
    def delete(ref: str, registry: RegistryDep, _who: Writer, if_match: IfMatch = None) -> Response:
        """Remove ``name@version`` or every version of ``name`` for good."""
        service(registry).delete(ref, if_match=if_match)
        return Response(status_code=204)

    return router
