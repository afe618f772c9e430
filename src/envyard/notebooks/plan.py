"""Turn discovered files into jobs (ready to run) or results decided before any kernel starts.

Bad input never raises here: a file that is not JSON or not a valid notebook, a broken config
file, an unknown environment, a kernel that cannot be made become ``error`` results; a ``skip``
setting becomes a ``skipped`` result.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from envyard.errors import EnvyardError
from envyard.notebooks.config import Overrides, resolve, skip_reason
from envyard.notebooks.discover import Found
from envyard.notebooks.envs import plan_kernel
from envyard.notebooks.inject import Injection
from envyard.notebooks.job import DEFAULT_TIMEOUT, Job
from envyard.notebooks.nbmeta import notebook_execution
from envyard.notebooks.results import NotebookResult
from envyard.spec.notebooks import NotebookSettings


def shown_path(path: Path, base: Path | None = None) -> str:
    base = base or Path.cwd()
    try:
        return path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_notebook(path: Path) -> NotebookNode:
    """Read and validate; raises ValueError with a one-line reason."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError("not a notebook: the file is not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a notebook: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        raise ValueError("not a notebook: no 'cells' or 'nbformat' key")
    try:
        nb: NotebookNode = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"invalid nbformat: {first}") from None
    return nb


def injection_for(settings: NotebookSettings) -> Injection:
    return Injection(
        setup=settings.setup or "",
        teardown=settings.teardown or "",
        before_each=settings.before_cell or "",
        after_each=settings.after_cell or "",
        parameters=dict(settings.parameters) or None,
    )


def _error(path: Path, shown: str, reason: str, message: str) -> NotebookResult:
    return NotebookResult(shown, path.name, "error", message=message, reason=reason)


def plan_one(
    number: int,
    found: Found,
    overrides: Overrides,
    base: Path | None = None,
    *,
    materialise: bool = True,
) -> Job | NotebookResult:
    path = found.path
    shown = shown_path(path, base)
    if found.problem:
        reason = "config" if path.name.startswith("notebooks.") else "not-found"
        return _error(path, shown, reason, found.problem)
    try:
        resolved = resolve(path, overrides)
    except EnvyardError as exc:
        return _error(path, shown, "config", str(exc))
    settings = resolved.settings
    why = skip_reason(settings)
    if why:
        return NotebookResult(shown, path.name, "skipped", message=why, reason="skip")
    try:
        nb = read_notebook(path)
        execution = notebook_execution(nb)
    except ValueError as exc:
        return _error(path, shown, "invalid-notebook", str(exc))
    if execution.timeout is not None and overrides.cell_timeout is None:
        # nbmake: the notebook's own execution.timeout beats the default (not --cell-timeout)
        settings = settings.model_copy(update={"cell_timeout": execution.timeout or None})
    try:
        injection = injection_for(settings)
        if injection.parameters:
            from envyard.notebooks.inject import parameters_source

            parameters_source(injection.parameters)
    except ValueError as exc:
        return _error(path, shown, "config", str(exc))
    try:
        kernel = plan_kernel(settings, nb.metadata, materialise=materialise)
    except EnvyardError as exc:
        return _error(path, shown, "environment", str(exc))
    except Exception as exc:  # a launch bug must not take the whole run down
        return _error(path, shown, "environment", f"{type(exc).__name__}: {exc}")
    timeout = settings.timeout if settings.timeout is not None else DEFAULT_TIMEOUT
    return Job(
        number,
        path,
        shown,
        settings,
        nb,
        kernel,
        injection,
        timeout,
        resolved.sources,
        kernel.env,
        execution.allow_errors,
    )


def plan_all(
    found: list[Found], overrides: Overrides, base: Path | None = None, *, materialise: bool = True
) -> list[Job | NotebookResult]:
    """Plan every notebook (kernels for the same environment are materialised once)."""
    return [plan_one(i, f, overrides, base, materialise=materialise) for i, f in enumerate(found)]


def base_env(job: Job) -> dict[str, str]:
    """The kernel's environment variables."""
    env = dict(job.env or os.environ)
    env["ENVYARD_NOTEBOOK"] = str(job.path)
    env.setdefault("MPLBACKEND", "agg")
    return env
