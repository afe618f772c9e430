"""Render every task role of a job: the pure step before anything is submitted."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.jobs.load import LoadedJob
from envyard.jobs.resolve import Catalogue, Resolved, resolve_job
from envyard.prerequisites.bootstrap import Bootstrap
from envyard.prerequisites.kernel import KernelMode
from envyard.prerequisites.render import render_bootstrap

__all__ = ["JobPlan", "plan_job"]


@dataclass(frozen=True)
class JobPlan:
    job: LoadedJob
    resolved: Resolved
    roles: dict[str, Bootstrap]

    @property
    def name(self) -> str:
        return self.job.spec.name

    @property
    def secret_values(self) -> dict[str, str]:
        """env var -> value for the secrets the scripts read (from the job's ``secrets``)."""
        secrets = self.job.spec.secrets
        out: dict[str, str] = {}
        for boot in self.roles.values():
            for env, key in boot.secrets.items():
                if isinstance(secrets, dict) and key in secrets:
                    out[env] = str(secrets[key])
        return out


def plan_job(
    job: LoadedJob,
    catalogue: Catalogue,
    *,
    roles: Iterable[str] | None = None,
    kernel_mode: KernelMode = "activate",
    base_dir: Path | None = None,
    params: Mapping[str, str] | None = None,
    deployment: str | None = None,
) -> JobPlan:
    """Resolve and render ``roles`` (default: all task roles).

    ``params`` are submit-time parameters: they replace or add to the file's ``parameters``
    and reach the commands only as environment variables (:mod:`envyard.prerequisites.shellsub`).
    ``deployment`` chooses one of the file's ``deployments`` (default ``defaults.deployment``).
    """
    if params:
        spec = job.spec.model_copy(update={"parameters": {**job.spec.parameters, **params}})
        job = LoadedJob(job.path, spec, job.document, job.warnings)
    wanted = list(roles) if roles is not None else list(job.spec.taskRoles)
    for role in wanted:
        if role not in job.spec.taskRoles:
            raise SpecError.at(
                job.document.file,
                f"no task role '{role}'",
                field="taskRoles",
                hint="task roles: " + ", ".join(job.spec.taskRoles),
            )
    resolved = resolve_job(job.spec, catalogue, wanted)
    resolved.warnings.extend(_unused_params(job, params or {}))
    rendered = {
        role: render_bootstrap(
            job.spec,
            role,
            catalogue=resolved.catalogue,
            environment=resolved.environments.get(role),
            kernel_mode=kernel_mode,
            base_dir=base_dir or job.base_dir,
            document=job.document,
            outside=frozenset(params or ()),
            deployment=deployment,
        )
        for role in wanted
    }
    return JobPlan(job, resolved, rendered)


def _unused_params(job: LoadedJob, params: Mapping[str, str]) -> list[str]:
    """Submit-time parameters the file neither defines nor uses: most likely a typo."""
    defined = set(job.document.data.get("parameters") or {}) if job.document else set()
    texts: list[str] = []
    _strings(job.document.data if job.document else {}, texts)
    text = "\n".join(texts)
    out = []
    for key in params:
        if key in defined or re.search(rf"\$parameters\.{re.escape(key)}(?![\w-])", text):
            continue
        close = difflib.get_close_matches(key, sorted(defined), 1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        out.append(f"--param {key}: the job defines no parameter '{key}' and uses none{hint}")
    return out


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)
