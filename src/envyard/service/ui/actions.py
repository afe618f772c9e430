"""Forms that change things: sign in/out with a token, create, deprecate, archive, delete.

Every action checks the CSRF token and the session's scope first (write for registry
changes), then calls the same service layer as the REST API. Success redirects (303) with a
one-shot message; a rejected create re-renders the form with located errors.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import File, Form, Request, Response, UploadFile

from envyard.errors import Diagnostic, EnvyardError, SpecError
from envyard.registry.conda import environment_from_conda
from envyard.service.ui import views
from envyard.service.ui.rendering import error_lines, flash_redirect, render, router, status_of
from envyard.service.ui.session import check_csrf, registry_of, require, set_token
from envyard.spec.kinds import kind_by_name
from envyard.spec.loader import validate_document
from envyard.yamlio import parse as parse_document

Field = Annotated[str, Form()]
OptionalField = Annotated[str, Form()]


def _back(request: Request, fallback: str = "/") -> str:
    """The page the form was on, as a same-origin path; ``fallback`` for anything else
    (another host, ``//host/path``, ``/\\host``: a browser would leave the site)."""
    return same_origin_path(request.headers.get("referer", ""), str(request.base_url), fallback)


def same_origin_path(referer: str, base: str, fallback: str = "/") -> str:
    """``referer``'s path and query when it is on ``base``'s scheme and host, else ``fallback``."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in referer):
        return fallback  # urlsplit would drop them silently
    seen, ours = urlsplit(referer), urlsplit(base)
    if (seen.scheme, seen.netloc) != (ours.scheme, ours.netloc):
        return fallback
    path = seen.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return fallback
    return f"{path}?{seen.query}" if seen.query else path


@router.post("/session")
def sign_in(request: Request, csrf: Field, token: Annotated[str, Form()] = "") -> Response:
    try:
        check_csrf(request, csrf)
    except EnvyardError as exc:
        return flash_redirect(_back(request), str(exc), "error")
    token = token.strip()
    record = registry_of(request).tokens.authenticate(token) if token else None
    if record is None:
        return flash_redirect(_back(request), "that token is unknown or revoked", "error")
    response = flash_redirect(
        _back(request), f"signed in as token '{record.name}' ({record.scope})"
    )
    set_token(request, response, token)
    return response


@router.post("/session/logout")
def sign_out(request: Request, csrf: Field) -> Response:
    try:
        check_csrf(request, csrf)
    except EnvyardError as exc:
        return flash_redirect(_back(request), str(exc), "error")
    response = flash_redirect(_back(request), "signed out")
    set_token(request, response, None)
    return response


def _body_from_yaml(text: str) -> dict[str, Any]:
    if not text.strip():
        raise SpecError.at("environment.yaml", "the YAML is empty", hint="paste a spec")
    doc = parse_document(text, "environment.yaml")
    validate_document(doc, kind_by_name("environment"))  # located errors (line:col)
    if not isinstance(doc.data, dict):  # pragma: no cover - validation refuses non-mappings
        raise SpecError.at("environment.yaml", "expected a mapping")
    return doc.data


async def _body_from_conda(
    upload: UploadFile, fields: dict[str, str], warnings: list[Diagnostic]
) -> dict[str, Any]:
    """The environment of an uploaded export; its warnings are added to ``warnings``. Messages
    name the uploaded file, never the temporary copy read here."""
    data = await upload.read()
    name = Path(upload.filename or "environment.yml").name
    if not data.strip():
        raise SpecError.at(name, "the uploaded file is empty")
    with tempfile.TemporaryDirectory(prefix="envyard-ui-") as tmp:
        path = Path(tmp) / name

        def shown(found: Diagnostic) -> Diagnostic:
            return replace(found, file=name) if found.file.startswith(tmp) else found

        path.write_bytes(data)
        try:
            return environment_from_conda(
                path,
                name=fields["name"].strip(),
                image=fields["image"].strip() or None,
                vm_image=fields["vm_image"].strip() or None,
                description=fields["description"].strip(),
                tags=views.parse_tags(fields["tags"]),
                warn=lambda found: warnings.append(shown(found)),
            )
        except SpecError as exc:
            raise SpecError([shown(d) for d in exc.diagnostics]) from None


@router.post("/create")
async def create(
    request: Request,
    *,
    csrf: Field,
    mode: Annotated[str, Form()] = "yaml",
    yaml_text: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    image: Annotated[str, Form()] = "",
    vm_image: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    conda_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    conda = {
        "name": name,
        "image": image,
        "vm_image": vm_image,
        "description": description,
        "tags": tags,
    }
    warnings: list[Diagnostic] = []
    try:
        check_csrf(request, csrf)
        user = require(request, "write")
        if mode == "conda":
            if conda_file is None or not conda_file.filename:
                raise SpecError.at("conda export", "choose a `conda env export` file to upload")
            body = await _body_from_conda(conda_file, conda, warnings)
        else:
            body = _body_from_yaml(yaml_text)
        record = registry_of(request).environments.create(body, by=user.actor)
    except EnvyardError as exc:
        return render(
            request,
            "new.html",
            status_of(exc),
            yaml_text=yaml_text,
            conda=conda,
            errors=error_lines(exc),
            mode=mode,
        )
    shown = "".join(f"; warning: {w.render()} [{w.rule}]" for w in warnings)
    return flash_redirect(f"/environments/{quote(record.name)}", f"created {record.ref}{shown}")


@router.post("/environments/{name}/edit")
def update(
    request: Request,
    name: str,
    *,
    csrf: Field,
    yaml_text: Annotated[str, Form()] = "",
    etag: Annotated[str, Form()] = "",
) -> Response:
    """Add a version from the edited YAML; ``etag`` makes it conditional (If-Match)."""
    try:
        check_csrf(request, csrf)
        user = require(request, "write")
        body = _body_from_yaml(yaml_text)
        record = registry_of(request).environments.update(
            name, body, replace=True, by=user.actor, if_match=etag or None
        )
    except EnvyardError as exc:
        try:
            current = registry_of(request).environments.get(name)
        except EnvyardError:
            return flash_redirect("/", str(exc), "error")
        return render(
            request,
            "edit.html",
            status_of(exc),
            record=current,
            yaml_text=yaml_text,
            etag=etag,
            errors=error_lines(exc),
        )
    return flash_redirect(f"/environments/{quote(name)}", f"created {record.ref}")


def _target(name: str, scope: str, version: str) -> str:
    return f"{name}@{version}" if scope == "version" and version else name


@router.post("/environments/{name}/deprecate")
def deprecate(
    request: Request,
    name: str,
    *,
    csrf: Field,
    scope: Annotated[str, Form()] = "all",
    version: Annotated[str, Form()] = "",
    replaced_by: Annotated[str, Form()] = "",
    delete_on: Annotated[str, Form()] = "",
) -> Response:
    page = f"/environments/{quote(name)}"
    try:
        check_csrf(request, csrf)
        user = require(request, "write")
        record = registry_of(request).environments.deprecate(
            _target(name, scope, version),
            replaced_by=replaced_by.strip() or None,
            delete_on=delete_on.strip() or None,
            by=user.actor,
        )
    except EnvyardError as exc:
        return flash_redirect(page, str(exc), "error")
    return flash_redirect(page, f"deprecated {_target(name, scope, version)} (now {record.state})")


@router.post("/environments/{name}/archive")
def archive(
    request: Request,
    name: str,
    *,
    csrf: Field,
    scope: Annotated[str, Form()] = "all",
    version: Annotated[str, Form()] = "",
) -> Response:
    page = f"/environments/{quote(name)}"
    try:
        check_csrf(request, csrf)
        user = require(request, "write")
        registry_of(request).environments.archive(_target(name, scope, version), by=user.actor)
    except EnvyardError as exc:
        return flash_redirect(page, str(exc), "error")
    return flash_redirect(page, f"archived {_target(name, scope, version)}")


@router.post("/environments/{name}/delete")
def delete(
    request: Request,
    name: str,
    *,
    csrf: Field,
    scope: Annotated[str, Form()] = "all",
    version: Annotated[str, Form()] = "",
) -> Response:
    target = _target(name, scope, version)
    try:
        check_csrf(request, csrf)
        require(request, "write")
        registry_of(request).environments.delete(target)
    except EnvyardError as exc:
        return flash_redirect(f"/environments/{quote(name)}", str(exc), "error")
    if target != name:
        return flash_redirect(f"/environments/{quote(name)}", f"deleted {target}")
    return flash_redirect("/", f"deleted {target}")
