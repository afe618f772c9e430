"""What the server and the SDK do with a run beyond its record: its logs (once, or followed
while it runs), cancel, re-run, and which environments it used.

A run's output is read through its backend's handle (:func:`envyard.jobs.runs.handle_of`),
exactly like ``envyard job logs``. Instances write concurrently, so :class:`LogFollower` counts
the lines already sent per instance (the ``role[i]`` prefix) and yields only new ones.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from envyard.errors import ConflictError
from envyard.registry.records import RunRecord
from envyard.registry.store import Registry

__all__ = [
    "FINAL",
    "LogFollower",
    "cancel",
    "environments_of",
    "follow",
    "logs",
    "refresh",
    "rerun",
    "runs_of_environment",
]

FINAL = frozenset({"succeeded", "failed", "cancelled"})


def _handle(run: RunRecord) -> Any:
    from envyard.jobs.runs import handle_of

    return handle_of(run)


def refresh(registry: Registry, run: RunRecord) -> RunRecord:
    """``run`` brought up to date from its backend while it is not finished."""
    if run.state in FINAL or not run.handle:
        return run
    status = _handle(run).status()
    if status.state == run.state and status.exit_code == run.exit_code:
        return run
    if status.state == "pending" and run.state == "running":
        return run  # the backend has not noticed its start yet: never step back
    finished = status.finished_at or (dt.datetime.now(dt.UTC) if status.state in FINAL else None)
    return registry.runs.update(
        run.id, state=status.state, exit_code=status.exit_code, finished_at=finished
    )


def logs(run: RunRecord) -> str:
    """Every instance's output so far ("" for a run that never started)."""
    if not run.handle:
        return ""
    text: str = _handle(run).logs()
    return text


class LogFollower:
    """New lines of a growing log, instance by instance (``role[i] line``)."""

    def __init__(self) -> None:
        self._sent: dict[str, int] = {}

    def new_lines(self, text: str) -> list[str]:
        seen: dict[str, int] = {}
        fresh = []
        for line in text.splitlines():
            who = line.split(" ", 1)[0]
            seen[who] = seen.get(who, 0) + 1
            if seen[who] > self._sent.get(who, 0):
                fresh.append(line)
        for who, count in seen.items():
            self._sent[who] = max(count, self._sent.get(who, 0))
        return fresh


def follow(
    registry: Registry,
    run_id: str,
    *,
    poll: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[str]:
    """Lines (with ``\\n``) as they are written, until the run has finished and all is read."""
    follower = LogFollower()
    while True:
        run = refresh(registry, registry.runs.get(run_id))
        done = run.state in FINAL
        for line in follower.new_lines(logs(run)):
            yield line + "\n"
        if done:
            return
        sleep(poll)


def cancel(registry: Registry, run_id: str, *, grace: float = 10) -> RunRecord:
    """Stop a run (its exit callbacks still run) and record it as cancelled."""
    run = refresh(registry, registry.runs.get(run_id))
    if run.state in FINAL:
        raise ConflictError(f"run {run.id} has already {run.state}; there is nothing to cancel")
    if not run.handle:
        return registry.runs.update(run.id, state="cancelled", finished_at=dt.datetime.now(dt.UTC))
    handle = _handle(run)
    handle.cancel()
    status = handle.wait(timeout=grace)
    return registry.runs.update(
        run.id,
        state="cancelled",
        exit_code=status.exit_code,
        finished_at=status.finished_at or dt.datetime.now(dt.UTC),
    )


def _masked(value: Any) -> bool:
    from envyard.registry.runs import MASK

    if isinstance(value, dict):
        return any(_masked(v) for v in value.values())
    if isinstance(value, list):
        return any(_masked(v) for v in value)
    return bool(value == MASK)


def rerun(run: RunRecord, *, created_by: str | None) -> RunRecord:
    """Submit ``run``'s job again, as it ran (overrides already applied), on its backend.

    A job with secrets cannot be re-run from here: only their masks were stored.
    """
    from envyard.atomicfile import write_atomic
    from envyard.jobs.runs import submit_job
    from envyard.yamlio import dump

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


def environments_of(run: RunRecord) -> list[str]:
    """The environments (NAME or NAME@VERSION) the run's task roles name, in order."""
    roles = run.spec.get("taskRoles")
    found: list[str] = []
    if isinstance(roles, dict):
        for role in roles.values():
            env = role.get("environment") if isinstance(role, dict) else None
            if isinstance(env, str) and env and env not in found:
                found.append(env)
    return found


def runs_of_environment(registry: Registry, name: str, *, limit: int = 20) -> list[RunRecord]:
    """The newest runs (of the last 500) whose task roles use environment ``name``."""
    mine = []
    for run in registry.runs.list(limit=500):
        if any(env.split("@", 1)[0] == name for env in environments_of(run)):
            mine.append(run)
            if len(mine) == limit:
                break
    return mine
