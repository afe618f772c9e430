"""Where it runs: one :class:`Backend` Protocol for jobs, ``env launch`` and ``nb test``.

A backend is an entry point of the ``envyard.backends`` group (built-in ones are declared in
Envyard's own ``pyproject.toml`` like third-party ones; :func:`envyard.plugins.backend` loads
them). Its ``capabilities`` say which of the three it serves, and it implements the methods of
those: ``job`` -> ``submit``/``attach`` (plus an optional ``preflight(plan)``), ``launch`` ->
``plan_launch``/``launch``, ``notebook`` -> ``run_notebooks``. A backend without
``capabilities`` is a job backend. Every backend is built as ``factory(settings)``.

Jobs: ``submit(Submission) -> Handle``; handles follow and stop runs.

A :class:`Submission` is everything a backend needs, already rendered: one bootstrap per task
role (:class:`~envyard.prerequisites.render.Bootstrap`), the environments and the locks of their
kernels (filled by remote backends with :func:`envyard.backends.locks.with_locks`), the run
directory, and secrets (env var -> value) that are passed to the processes but never written
to disk.
Every instance gets ``ENVYARD_JOB_NAME``, ``ENVYARD_TASK_ROLE``, ``ENVYARD_TASK_INDEX``,
``ENVYARD_TASK_COUNT`` and ``ENVYARD_RUN_ID``.

A handle is rebuilt from its ``to_dict()`` (stored in the run record) by
``backend.attach(data)``, so ``envyard job status`` works from another process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

from envyard.prerequisites.bootstrap import Bootstrap
from envyard.registry.run_states import FINAL_STATES, RunState
from envyard.spec.environment import Environment
from envyard.spec.job import TaskRole

if TYPE_CHECKING:
    from envyard.launch.request import LaunchPlan, LaunchRequest
    from envyard.launch.steps import Log
    from envyard.locking.model import Lock
    from envyard.notebooks.job import Job, Listener, RunOptions
    from envyard.notebooks.results import NotebookResult

__all__ = [
    "CAPABILITIES",
    "FINAL_STATES",
    "Backend",
    "Capability",
    "Handle",
    "Instance",
    "RunStatus",
    "Submission",
    "fingerprints",
    "mask_fingerprints",
]

Capability = Literal["job", "launch", "notebook"]
CAPABILITIES: dict[Capability, str] = {  # what each capability is used by, for messages
    "job": "job submit",
    "launch": "env launch",
    "notebook": "nb test",
}
State = RunState
MASK = "***"


@dataclass(frozen=True)
class RunStatus:
    state: State
    exit_code: int | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    message: str = ""

    @property
    def done(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class Instance:
    role: str
    index: int
    count: int

    @property
    def key(self) -> str:
        return f"{self.role}-{self.index}"

    def env(self, job_name: str, run_id: str) -> dict[str, str]:
        return {
            "ENVYARD_JOB_NAME": job_name,
            "ENVYARD_RUN_ID": run_id,
            "ENVYARD_TASK_ROLE": self.role,
            "ENVYARD_TASK_INDEX": str(self.index),
            "ENVYARD_TASK_COUNT": str(self.count),
        }


@dataclass(frozen=True)
class Submission:
    run_id: str
    job_name: str
    run_dir: Path
    roles: Mapping[str, Bootstrap]
    environments: Mapping[str, Environment] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)  # env var -> value
    settings: Mapping[str, Any] = field(default_factory=dict)  # the target's backend settings
    task_roles: Mapping[str, TaskRole] = field(default_factory=dict)  # resources, retries
    job_retries: int = 0  # jobRetryCount
    locks: Mapping[str, Lock] = field(default_factory=dict)  # task role -> its kernel's lock

    def instances(self) -> list[Instance]:
        return [
            Instance(role, i, boot.instances)
            for role, boot in self.roles.items()
            for i in range(boot.instances)
        ]


class Handle(Protocol):
    run_id: str

    def status(self) -> RunStatus: ...

    def wait(self, timeout: float | None = None) -> RunStatus:
        """Block until the run ends (or ``timeout`` seconds pass); return its status."""
        ...

    def logs(self) -> str:
        """Every instance's output so far, secrets masked, each line prefixed role[index]."""
        ...

    def cancel(self) -> None: ...

    def to_dict(self) -> dict[str, Any]:
        """What ``Backend.attach`` needs to rebuild this handle (no secrets)."""
        ...


class Backend(Protocol):
    """A place where work runs; it implements the methods of its ``capabilities`` only."""

    name: str
    capabilities: ClassVar[frozenset[Capability]]

    # job: run a rendered job; the handle is stored and rebuilt by ``attach``
    def submit(self, submission: Submission) -> Handle: ...

    def attach(self, data: Mapping[str, Any]) -> Handle: ...

    # launch: run a command in an environment's kernel, in the foreground
    def plan_launch(self, request: LaunchRequest) -> LaunchPlan:
        """What ``launch`` would run (nothing installed or started: ``--dry-run``)."""
        ...

    def launch(self, request: LaunchRequest, log: Log) -> int:
        """Run ``request.command``; return its exit code."""
        ...

    # notebook: execute planned notebooks; one result per job, in order
    async def run_notebooks(
        self, jobs: list[Job], options: RunOptions, listener: Listener | None
    ) -> list[NotebookResult]: ...


def poll_until_done(
    status: Callable[[], RunStatus], timeout: float | None, interval: float
) -> RunStatus:
    """Call ``status()`` every ``interval`` seconds until the run is done or ``timeout``
    passes; return the last status (``wait()`` of the polling backends)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        current = status()
        if current.done or (deadline is not None and time.monotonic() > deadline):
            return current
        time.sleep(interval)


def fingerprints(secrets: Mapping[str, str]) -> list[dict[str, Any]]:
    """Salted hashes of secret values: enough to mask them in logs later, not to recover them.

    Stored in run handles so another process (``envyard job logs``) can mask output that a
    remote backend (Ray, Kubernetes) kept unmasked.
    """
    out = []
    for value in secrets.values():
        if value:
            salt = _random.token_hex(8)
            digest = hashlib.sha256((salt + value).encode()).hexdigest()
            out.append({"length": len(value), "salt": salt, "sha256": digest})
    return out


def mask_fingerprints(text: str, prints: list[dict[str, Any]]) -> str:
    """``text`` with every substring matching a fingerprint replaced by ``***``."""
    for fp in sorted(prints, key=lambda f: -int(f["length"])):
        size, salt, digest = int(fp["length"]), str(fp["salt"]), str(fp["sha256"])
        i, out = 0, []
        while i + size <= len(text):
            if hashlib.sha256((salt + text[i : i + size]).encode()).hexdigest() == digest:
                out.append(MASK)
                i += size
            else:
                out.append(text[i])
                i += 1
        text = "".join(out) + text[i:]
    return text
