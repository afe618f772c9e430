"""Targets and their override profiles, applied to a staged copy of the job (never the file).

The target is resolved by :func:`envyard.overrides.resolve_target` (``--target``, or
``ENVYARD_TARGET``; the targets file from ``--targets`` or the project's), and its override
profile is applied by :func:`envyard.overrides.staged` to a copy of the job, which is then
copied into the run's staging folder. The user's file is only read.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from envyard.spec.overrides import Target

__all__ = ["Staged", "stage_job"]


@dataclass(frozen=True)
class Staged:
    path: Path  # the staged job file
    target: Target | None
    changes: tuple[str, ...] = ()


def stage_job(
    job_path: Path, staging: Path, *, target: str | None, targets_file: Path | None
) -> Staged:
    """Copy the job into ``staging`` with the target's overrides applied to the copy."""
    staging.mkdir(parents=True, exist_ok=True)
    dest = staging / job_path.name
    if target is None:
        shutil.copyfile(job_path, dest)
        return Staged(dest, None)
    from envyard.overrides import staged

    cwd = Path.cwd()
    with staged([job_path], target=target, targets_file=targets_file, cwd=cwd) as result:
        copy = result.paths.get(job_path) or result.paths[job_path.resolve()]
        shutil.copyfile(copy, dest)
        changes = result.changes.get(job_path) or result.changes.get(job_path.resolve()) or []
        found = result.plan.target.target if result.plan.target else None
        notes = tuple(f"{target}: {c.location} {c.old!r} -> {c.new!r}" for c in changes)
        notes += tuple(w.render() for w in result.warnings)
    return Staged(dest, found, notes)
