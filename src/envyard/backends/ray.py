"""``ray``: every instance is a job on a Ray cluster, through the Ray Jobs API.

Target settings: ``address`` (the dashboard, e.g. ``http://127.0.0.1:8265``; default
``$RAY_API_SERVER_ADDRESS`` or ``$RAY_ADDRESS``). Each instance is submitted with the task
role's bootstrap in its ``working_dir`` (uploaded by Ray, so it runs on any node), its
per-instance variables and secrets in ``env_vars``, and the kernel's lock as the runtime_env:
its pip packages pinned with their hashes as the ``pip`` list, or, when the lock has conda
packages, a ``conda`` environment of their exact builds (that needs conda on the Ray nodes)
with the pip pins inside (:mod:`envyard.backends.locks`). The bootstrap does not activate a
kernel; ``pip`` prerequisites are installed by the bootstrap after the runtime_env.
``entrypoint_num_cpus`` is the task role's ``resourcePerInstance.cpu``, which lets Ray place
instances on whichever machine has room.

Secrets reach the instances through Ray's runtime_env (visible to whoever can read the Ray
dashboard); logs read back through Envyard are masked.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Mapping
from typing import Any

from envyard.backends.interface import (
    RunStatus,
    Submission,
    fingerprints,
    mask_fingerprints,
    poll_until_done,
)
from envyard.backends.locks import conda_lines, pip_lines, with_locks
from envyard.errors import ConfigError, MissingDependencyError
from envyard.locking.model import Lock

__all__ = ["RayBackend", "RayHandle"]

_STATES = {
    "PENDING": "pending",
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "STOPPED": "cancelled",
}


def _client_class() -> Any:
    try:
        from ray.job_submission import JobSubmissionClient
    except ImportError:
        raise MissingDependencyError(
            "the ray backend needs Ray's job submission client", hint="pip install 'envyard[ray]'"
        ) from None
    return JobSubmissionClient


def _address(settings: Mapping[str, Any]) -> str:
    address = (
        settings.get("address")
        or os.environ.get("RAY_API_SERVER_ADDRESS")
        or os.environ.get("RAY_ADDRESS")
    )
    if not address:
        raise ConfigError(
            "the ray backend needs the address of a Ray dashboard",
            hint="set `address: http://HOST:8265` in the target's settings, or RAY_ADDRESS",
        )
    return str(address)


def connect(address: str) -> Any:
    """A JobSubmissionClient for ``address``; ConfigError when nothing answers there."""
    import httpx

    client_class = _client_class()
    try:
        httpx.get(f"{address.rstrip('/')}/api/version", timeout=5).raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address}: {exc}",
            hint="start one with `ray start --head`, or fix the target's `address`",
        ) from None
    return client_class(address)


def _locked(lock: Lock) -> dict[str, Any]:
    """The runtime_env entry installing ``lock`` exactly (nothing is resolved on the node)."""
    pins = pip_lines(lock)
    channels, conda = conda_lines(lock)
    if conda:
        deps: list[Any] = [*conda, *(["pip", {"pip": pins}] if pins else [])]
        return {"conda": {"channels": channels, "dependencies": deps}}
    return {"pip": {"packages": pins, "pip_check": False}} if pins else {}


def _packages(boot: Any, lock: Lock | None = None) -> dict[str, Any]:
    """The runtime_env entry installing the kernel: its lock when it has one."""
    if lock is not None:
        return _locked(lock)
    kernel = boot.kernel
    if kernel is not None and kernel.conda:
        deps: list[Any] = [f"python={kernel.python}"] if kernel.python else []
        deps += [*kernel.conda, "pip", {"pip": list(boot.pip_requirements)}]
        return {"conda": {"channels": list(kernel.channels), "dependencies": deps}}
    if boot.pip_requirements:
        return {"pip": {"packages": list(boot.pip_requirements), "pip_check": False}}
    return {}


class RayHandle:
    def __init__(
        self, run_id: str, address: str, jobs: list[dict[str, Any]], prints: list[dict[str, Any]]
    ) -> None:
        self.run_id = run_id
        self.address = address
        self.jobs = jobs  # {"id", "role", "index"}
        self.prints = prints
        self._client: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client = connect(self.address)
        return self._client

    def _states(self) -> list[tuple[str, Any]]:
        client = self.client()
        return [(j["id"], client.get_job_info(j["id"])) for j in self.jobs]

    def status(self) -> RunStatus:
        infos = self._states()
        states = [_STATES.get(str(info.status.value), "running") for _, info in infos]
        codes = [getattr(info, "driver_exit_code", None) for _, info in infos]
        if any(s in ("pending", "running") for s in states):
            state = "running" if "running" in states else "pending"
            return RunStatus(state)  # type: ignore[arg-type]
        if "cancelled" in states:
            final = "cancelled"
        else:
            final = "failed" if "failed" in states else "succeeded"
        failed = [c for c in codes if c not in (0, None)]
        exit_code = failed[0] if failed else (0 if final == "succeeded" else 1)
        ends = [info.end_time for _, info in infos if info.end_time]
        starts = [info.start_time for _, info in infos if info.start_time]
        import datetime as dt

        def when(ms: int) -> dt.datetime:
            return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)

        return RunStatus(
            final,  # type: ignore[arg-type]
            exit_code=exit_code,
            started_at=when(min(starts)) if starts else None,
            finished_at=when(max(ends)) if ends else None,
        )

    def wait(self, timeout: float | None = None) -> RunStatus:
        return poll_until_done(self.status, timeout, interval=0.5)

    def logs(self) -> str:
        client = self.client()
        out = []
        for job in self.jobs:
            text = mask_fingerprints(client.get_job_logs(job["id"]), self.prints)
            out += [f"{job['role']}[{job['index']}] {line}" for line in text.splitlines()]
        return "\n".join(out) + ("\n" if out else "")

    def cancel(self) -> None:
        client = self.client()
        for job in self.jobs:
            client.stop_job(job["id"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": "ray",
            "run_id": self.run_id,
            "address": self.address,
            "jobs": self.jobs,
            "fingerprints": self.prints,
        }


_AGENT_WAIT_S = 30.0
"""How long a submission waits for the head's job agent ("No available agent to submit job,
please try again later": a head that has just started, or is busy, answers that)."""


def _submit(client: Any, **job: Any) -> None:
    deadline = time.monotonic() + _AGENT_WAIT_S
    pause = 0.2
    while True:
        try:
            client.submit_job(**job)
            return
        except RuntimeError as exc:
            if "No available agent" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 2.0)


class RayBackend:
    name = "ray"

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def preflight(self, _plan: object) -> None:
        connect(_address(self.settings))

    def submit(self, submission: Submission) -> RayHandle:
        address = _address(self.settings)
        client = connect(address)
        package = submission.run_dir / "ray-package"
        package.mkdir(parents=True, exist_ok=True)
        for name, boot in submission.roles.items():
            (package / f"{name}.sh").write_text(boot.script, encoding="utf-8")
        submission = with_locks(submission)
        jobs = []
        for instance in submission.instances():
            boot = submission.roles[instance.role]
            runtime_env: dict[str, Any] = {
                "working_dir": str(package),
                "env_vars": {
                    **instance.env(submission.job_name, submission.run_id),
                    **boot.values,  # values given at submission (never script text)
                    **submission.secrets,
                },
            }
            runtime_env.update(_packages(boot, submission.locks.get(instance.role)))
            role = submission.task_roles.get(instance.role)
            cpus = role.resourcePerInstance.cpu if role else 1
            job_id = re.sub(r"[^A-Za-z0-9_-]", "-", f"envyard-{submission.run_id}-{instance.key}")
            _submit(
                client,
                entrypoint=f"bash {instance.role}.sh",
                submission_id=job_id,
                runtime_env=runtime_env,
                entrypoint_num_cpus=cpus,
                metadata={"envyard_run_id": submission.run_id, "job_name": submission.job_name},
            )
            jobs.append({"id": job_id, "role": instance.role, "index": instance.index})
        shutil.rmtree(package, ignore_errors=True)
        return RayHandle(submission.run_id, address, jobs, fingerprints(submission.secrets))

    def attach(self, data: Mapping[str, Any]) -> RayHandle:
        return RayHandle(
            str(data["run_id"]),
            str(data["address"]),
            list(data["jobs"]),
            list(data.get("fingerprints", [])),
        )
