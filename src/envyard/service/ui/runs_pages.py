"""Run pages: the list, one run with its logs (followed live while it runs), cancel and re-run.

- ``/runs?state=S``: newest first, states brought up to date from the backends;
- ``/runs/{id}``: the run, the environments its task roles use (links), its logs so far;
- ``/runs/{id}/log?follow=1``: the logs as ``text/plain``, streamed while the run goes on
  (``app.js`` appends them to the page; same cookie sign-in as the pages, unlike the API);
- ``POST /runs/{id}/cancel`` and ``POST /runs/{id}/rerun``: need a ``write`` token and CSRF.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Form, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse, StreamingResponse

from envyard.errors import EnvyardError
from envyard.jobs import runlogs
from envyard.jobs.rerun import rerun as rerun_job
from envyard.registry.run_states import RUN_STATES
from envyard.registry.store import Registry
from envyard.service.headers import protect
from envyard.service.ui import views
from envyard.service.ui.rendering import (
    flash_redirect,
    render,
    render_error,
    router,
    status_of,
    templates,
)
from envyard.service.ui.session import check_csrf, registry_of, require

templates.env.globals["run_envs"] = runlogs.environments_of


@router.get("/runs", response_class=HTMLResponse)
def run_list(request: Request, state: str = "") -> Response:
    try:
        require(request, "read")
        registry = registry_of(request)
        wanted = state if state in RUN_STATES else None
        runs = [runlogs.refresh(registry, r) for r in registry.runs.list(state=wanted, limit=200)]
    except EnvyardError as exc:
        return render_error(request, exc)
    return render(request, "runs.html", runs=runs, state=wanted or "")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_detail(request: Request, run_id: str) -> Response:
    try:
        require(request, "read")
        registry = registry_of(request)
        run = runlogs.refresh(registry, registry.runs.get(run_id))
        text = runlogs.logs(run)
    except EnvyardError as exc:
        return render_error(request, exc)
    return render(
        request,
        "run.html",
        run=run,
        spec_yaml=views.to_yaml(run.spec),
        log_text=text,
        live=run.state not in runlogs.FINAL,
        environments=runlogs.environments_of(run),
    )


@router.get("/runs/{run_id}/log")
def run_log(request: Request, run_id: str, follow: bool = False) -> Response:
    try:
        require(request, "read")
        registry = registry_of(request)
        run = registry.runs.get(run_id)
        if not follow:
            return protect(PlainTextResponse(runlogs.logs(runlogs.refresh(registry, run))))
    except EnvyardError as exc:
        return protect(PlainTextResponse(f"error: {exc}\n", status_code=status_of(exc)))
    stream = StreamingResponse(
        _follow(registry, run.id),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    return protect(stream)


def _follow(registry: Registry, run_id: str) -> Iterator[str]:
    yield from runlogs.follow(registry, run_id)


@router.post("/runs/{run_id}/cancel")
def cancel(request: Request, run_id: str, csrf: Annotated[str, Form()]) -> Response:
    page = f"/runs/{run_id}"
    try:
        check_csrf(request, csrf)
        require(request, "write")
        run = runlogs.cancel(registry_of(request), run_id)
    except EnvyardError as exc:
        return flash_redirect(page, str(exc), "error")
    return flash_redirect(page, f"cancelled run {run.id} (exit code {run.exit_code})")


@router.post("/runs/{run_id}/rerun")
def rerun(request: Request, run_id: str, csrf: Annotated[str, Form()]) -> Response:
    try:
        check_csrf(request, csrf)
        user = require(request, "write")
        run = registry_of(request).runs.get(run_id)
        new = rerun_job(run, created_by=user.actor)
    except EnvyardError as exc:
        return flash_redirect(f"/runs/{run_id}", str(exc), "error")
    return flash_redirect(f"/runs/{new.id}", f"re-ran {run_id} as run {new.id}")
