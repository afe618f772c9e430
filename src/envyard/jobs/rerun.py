"""Submit a stored run's job again, as it ran (the web UI's *re-run*)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from envyard.atomicfile import write_atomic
from envyard.errors import ConflictError
from envyard.jobs.runs import submit_job
from envyard.registry.records import RunRecord
from envyard.registry.runs import MASK
from envyard.yamlio import dump

__all__ = ["rerun"]


def _masked(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_masked(v) for v in value.values())
    if isinstance(value, list):
        return any(_masked(v) for v in value)
    return bool(value == MASK)


def rerun(run: RunRecord, *, created_by: str | None) -> RunRecord:
    """Submit ``run``'s job again, as it ran (overrides already applied), on its backend.

    A job with secrets cannot be re-run from here: only their masks were stored.
    """
    if _masked(run.spec.get("secrets")):
        raise ConflictError(
            f"run {run.id}'s job has secrets, and only their masks were stored",
            hint="submit the job file again: `envyard job submit JOB_FILE`",
        )
    with tempfile.TemporaryDirectory(prefix="envyard-rerun-") as tmp:
        job_file = Path(tmp) / f"{run.job_name}.yaml"
        write_atomic(job_file, dump(run.spec))
        result = submit_job(job_file, backend=run.backend, created_by=created_by)
    new: RunRecord = result.run
    return new
