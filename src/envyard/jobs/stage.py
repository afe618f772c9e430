"""Targets and their override profiles, applied to a staged copy of the job (never the file).

The target comes from ``--target`` (or ``ENVYARD_TARGET``) in a targets file: ``--targets``,
else ``targets.yaml`` in the current folder, else ``$ENVYARD_HOME/targets.yaml``. The overrides
engine (:mod:`envyard.overrides`) rewrites a copy of the job under the run's staging folder;
the user's file is only read.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.errors import ConfigError, NotFoundError
from envyard.settings import load_settings
from envyard.spec.loader import load_model
from envyard.spec.overrides import Target, TargetsFile

__all__ = ["Staged", "find_targets_file", "stage_job"]


@dataclass(frozen=True)
class Staged:
    path: Path  # the staged job file
    target: Target | None
    changes: tuple[str, ...] = ()


def find_targets_file(given: Path | None) -> Path | None:
    if given is not None:
        return given
    for candidate in (Path("targets.yaml"), load_settings().home / "targets.yaml"):
        if candidate.is_file():
            return candidate
    return None


def resolve_target(name: str, targets_file: Path | None) -> Target:
    path = find_targets_file(targets_file)
    if path is None:
        raise ConfigError(
            f"target '{name}' needs a targets file",
            hint="pass --targets FILE, or put targets.yaml here or in $ENVYARD_HOME",
        )
    try:
        from envyard.overrides import resolve_target as engine_resolve  # type: ignore[attr-defined]
    except ImportError:
        engine_resolve = None
    if engine_resolve is not None:
        found: Target = engine_resolve(name, targets_file=path)
        return found
    targets = load_model(path, TargetsFile, "targets")
    for target in targets.targets:
        if target.name == name:
            return target
    known = ", ".join(t.name for t in targets.targets)
    raise NotFoundError(f"target '{name}' is not in {path}", hint=f"targets: {known}")


def stage_job(
    job_path: Path, staging: Path, *, target: str | None, targets_file: Path | None
) -> Staged:
    """Copy the job into ``staging`` and apply the target's overrides to the copy."""
    staging.mkdir(parents=True, exist_ok=True)
    if target is None:
        dest = staging / job_path.name
        shutil.copyfile(job_path, dest)
        return Staged(dest, None)
    found = resolve_target(target, targets_file)
    path = find_targets_file(targets_file)
    try:
        from envyard.overrides import staged  # type: ignore[attr-defined]
    except ImportError:
        dest = staging / job_path.name
        shutil.copyfile(job_path, dest)
        return Staged(dest, found, ("overrides engine not installed: job used as written",))
    result: Any = staged([job_path], target=target, targets_file=path, overrides=None)
    return _from_engine(result, job_path, staging, found)


def _from_engine(result: Any, job_path: Path, staging: Path, target: Target) -> Staged:
    """Copy the engine's staged file into the run's staging folder."""
    with result as staged_set:
        files = getattr(staged_set, "files", None) or getattr(staged_set, "paths", None)
        source = Path(files[0] if isinstance(files, list | tuple) else staged_set[job_path])
        dest = staging / job_path.name
        shutil.copyfile(source, dest)
        changes = tuple(str(c) for c in getattr(staged_set, "changes", ()) or ())
    return Staged(dest, target, changes)
