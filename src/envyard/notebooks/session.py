"""One notebook test session: discover -> (changed only) -> plan -> run on a backend -> results.

This is the domain function behind ``envyard nb test`` and the pytest plugin. The backend is
any one with the ``notebook`` capability (:func:`envyard.plugins.backend`): ``local`` (kernels
on this machine), ``container``/``podman`` (each notebook's kernel inside the environment's
image, with podman), ``ray`` (notebooks spread over a Ray cluster as tasks), or a plugin's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envyard import plugins
from envyard.notebooks.changed import select_changed
from envyard.notebooks.config import Overrides
from envyard.notebooks.discover import Found, discover
from envyard.notebooks.job import Job, Listener, RunOptions
from envyard.notebooks.plan import plan_all
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.stop import STOP, interruptible


@dataclass
class SessionRequest:
    paths: list[Path]
    environment: str | None = None
    changed_since: str | None = None
    workers: int = 2
    timeout: float | None = None
    cell_timeout: float | None = None
    output_dir: Path | None = None
    backend: str = "local"
    target: str | None = None
    fork: bool = True
    parameters: dict[str, Any] = field(default_factory=dict)
    base: Path | None = None  # paths are shown relative to this (default: the working dir)
    backend_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class SessionReport:
    results: list[NotebookResult]
    duration: float
    selected: int  # notebooks considered after --changed-since
    found: int = 0  # notebooks discovered (before --changed-since)
    interrupted: bool = False  # Ctrl-C: some notebooks were stopped or not run


def select(request: SessionRequest) -> tuple[list[Found], int]:
    """The notebooks to run, and how many were discovered before ``--changed-since``."""
    exclude = [request.output_dir] if request.output_dir else []
    found = discover(request.paths, exclude)
    discovered = len(found)
    if request.changed_since:
        start = request.paths[0] if request.paths else Path.cwd()
        found = select_changed(found, request.changed_since, start, exclude)
    return found, discovered


async def run_session_async(
    request: SessionRequest,
    listener: Listener | None = None,
    on_total: Callable[[int], None] | None = None,
) -> SessionReport:
    """Run the session; ``on_total`` learns how many notebooks there are once planned."""
    started = time.monotonic()
    backend = plugins.backend(request.backend, "notebook", request.backend_options)
    found, discovered = await asyncio.to_thread(select, request)
    overrides = Overrides(
        environment=request.environment,
        timeout=request.timeout,
        cell_timeout=request.cell_timeout,
        target=request.target,
        parameters=request.parameters,
    )
    local = request.backend == "local"
    planned = await asyncio.to_thread(
        lambda: plan_all(found, overrides, request.base, materialise=local)
    )
    jobs = [p for p in planned if isinstance(p, Job)]
    if on_total is not None:
        on_total(len(planned))
    for item in planned:
        if isinstance(item, NotebookResult) and listener is not None:
            listener("done", item)
    options = RunOptions(workers=request.workers, output_dir=request.output_dir, fork=request.fork)
    ran = iter(await backend.run_notebooks(jobs, options, listener)) if jobs else iter([])
    results = [next(ran) if isinstance(p, Job) else p for p in planned]
    interrupted = any(r.reason == "interrupted" for r in results) or STOP.requested > 0
    return SessionReport(results, time.monotonic() - started, len(found), discovered, interrupted)


def run_session(
    request: SessionRequest,
    listener: Listener | None = None,
    on_total: Callable[[int], None] | None = None,
) -> SessionReport:
    """Run the session; Ctrl-C stops it as :mod:`envyard.notebooks.stop` describes."""
    return asyncio.run(interruptible(run_session_async(request, listener, on_total)))
