"""What a job names but does not define: environments and catalogue prerequisites.

Lookups go, in order, to environment files given on the command line (``--env-file``), then
to the registry: the server at ``ENVYARD_URL`` through the SDK when it is set, else the local
metastore. A missing name is a NotFoundError naming the task role or prerequisite.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from envyard.errors import NotFoundError
from envyard.prerequisites.graph import role_references
from envyard.spec.environment import Environment
from envyard.spec.job import JobSpec, Prerequisite
from envyard.spec.loader import load_model

__all__ = ["Catalogue", "RegistryCatalogue", "Resolved", "resolve_job"]


class Catalogue(Protocol):
    def environment(self, ref: str) -> Environment: ...

    def prerequisite(self, name: str) -> Prerequisite: ...


class RegistryCatalogue:
    """The registry through the SDK: the server at ``ENVYARD_URL``, else the local metastore."""

    def __init__(self) -> None:
        self._backend: Any = None
        self.warnings: list[str] = []  # deprecated or archived records a job uses

    def _warn(self, record: Any) -> Any:
        state = getattr(record, "state", "active")
        if state in ("deprecated", "archived"):
            extra = [f"replaced by {record.replaced_by}"] if record.replaced_by else []
            extra += [f"to be deleted on {record.delete_on}"] if record.delete_on else []
            detail = f" ({'; '.join(extra)})" if extra else ""
            self.warnings.append(f"{record.ref} is {state}{detail}")
        return record

    def _open(self) -> Any:
        if self._backend is None:
            from envyard.client import Client

            self._backend = Client.from_settings()
        return self._backend

    def environment(self, ref: str) -> Environment:
        spec: Environment = self._warn(self._open().environments.get(ref)).spec()
        return spec

    def prerequisite(self, name: str) -> Prerequisite:
        spec: Prerequisite = self._warn(self._open().prerequisites.get(name)).spec()
        return spec


@dataclass
class FileCatalogue:
    """Environments from files, falling back to another catalogue."""

    files: Mapping[str, Environment]
    fallback: Catalogue | None = None

    @classmethod
    def from_paths(cls, paths: Iterable[Path], fallback: Catalogue | None) -> FileCatalogue:
        envs = {}
        for path in paths:
            env = load_model(path, Environment, "environment")
            envs[env.name] = env
            if env.version:
                envs[f"{env.name}@{env.version}"] = env
        return cls(envs, fallback)

    def environment(self, ref: str) -> Environment:
        if ref in self.files:
            return self.files[ref]
        if self.fallback is None:
            raise NotFoundError(f"environment '{ref}' not found")
        return self.fallback.environment(ref)

    def prerequisite(self, name: str) -> Prerequisite:
        if self.fallback is None:
            raise NotFoundError(f"prerequisite '{name}' not found")
        return self.fallback.prerequisite(name)


@dataclass(frozen=True)
class Resolved:
    environments: dict[str, Environment] = field(default_factory=dict)  # task role -> env
    catalogue: dict[str, Prerequisite] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # deprecated records used


def _warnings_of(catalogue: Catalogue) -> list[str]:
    found = getattr(catalogue, "warnings", None)
    if found is None and getattr(catalogue, "fallback", None) is not None:
        return _warnings_of(catalogue.fallback)  # type: ignore[attr-defined]
    return list(found or [])


def resolve_job(job: JobSpec, catalogue: Catalogue, roles: Iterable[str] | None = None) -> Resolved:
    """Environments of the task roles and the prerequisites not defined in the file."""
    out = Resolved()
    defined = {p.name: p for p in job.prerequisites}
    for role_name in roles if roles is not None else job.taskRoles:
        role = job.taskRoles[role_name]
        if role.environment:
            try:
                out.environments[role_name] = catalogue.environment(role.environment)
            except NotFoundError as exc:
                raise NotFoundError(
                    f"taskRoles.{role_name}.environment: {exc.message}",
                    hint="register it with `envyard env create -f FILE`, or pass --env-file FILE",
                ) from None
        pending = list(role_references(role, {**defined, **out.catalogue}))
        pending += [n for n in _slot_names(job, role_name) if n not in pending]
        while pending:
            name = pending.pop()
            if name in defined or name in out.catalogue:
                pre = defined.get(name) or out.catalogue[name]
                pending += [r for r in pre.require if r not in defined and r not in out.catalogue]
                continue
            try:
                out.catalogue[name] = catalogue.prerequisite(name)
            except NotFoundError:
                raise NotFoundError(
                    f"taskRoles.{role_name}: prerequisite '{name}' is defined neither in the "
                    "job nor in the registry catalogue",
                    hint="define it under `prerequisites`, or publish it with "
                    "`envyard prereq create`",
                ) from None
            pending += list(out.catalogue[name].require)
    out.warnings.extend(w for w in _warnings_of(catalogue) if w not in out.warnings)
    return out


def _slot_names(job: JobSpec, role_name: str) -> list[str]:
    role = job.taskRoles[role_name]
    names = [getattr(role, s) for s in ("data", "script", "output")]
    image = role.dockerImage
    if image and "/" not in image and ":" not in image:
        names.append(image)
    return [n for n in names if n]
