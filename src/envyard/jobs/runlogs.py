"""A stored run beyond its record: brought up to date from its backend, its logs (once, or
followed while it runs), cancel, and which environments it used; shared by ``envyard job``, the
API, the web UI and the SDK.

A run's output is read through its backend's handle (:func:`envyard.jobs.handles.handle_of`).
Instances write concurrently, so :class:`LogFollower` counts the lines already sent per instance
(the ``role[i]`` prefix) and yields only new ones.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator

from envyard.backends.interface import FINAL_STATES
from envyard.errors import ConflictError
from envyard.jobs.handles import handle_of
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
    "runs_of_environment",
]

FINAL = FINAL_STATES


def refresh(registry: Registry, run: RunRecord) -> RunRecord:
    """``run`` brought up to date from its backend while it is not finished."""
    if run.state in FINAL or not run.handle:
        return run
    status = handle_of(run).status()
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
    text: str = handle_of(run).logs()
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
    handle = handle_of(run)
    handle.cancel()
    status = handle.wait(timeout=grace)
    return registry.runs.update(
        run.id,
        state="cancelled",
        exit_code=status.exit_code,
        finished_at=status.finished_at or dt.datetime.now(dt.UTC),
    )


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
