"""``--backend ray``: one Ray job per notebook, spread over the cluster, results collected back.

Each notebook's minimal snapshot is uploaded as the job's ``working_dir``; the job's entrypoint
(``python -m envyard.notebooks.remote``) runs it exactly as the local runner does, with a fresh
kernel on whichever node Ray schedules it (``entrypoint_num_cpus=1``), and prints the result
and the executed notebook into the job's log, from where they are collected: no shared
filesystem is needed. ``--workers`` bounds how many jobs are in flight at once. A job that
fails before printing a result, or outlives its notebook timeout by :data:`GRACE` seconds, is
stopped and reported as an ``error`` with the tail of its log.

Workers need Envyard installed (``pip install envyard``) in the Python that runs Ray jobs.
The cluster address is ``--ray-address`` or ``RAY_ADDRESS`` (the dashboard / Jobs API URL).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shlex
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from envyard.errors import ConfigError, MissingDependencyError
from envyard.notebooks.job import Job, Listener, RunOptions
from envyard.notebooks.remote import find_result, notebook_from
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.runner import output_path, save_notebook
from envyard.notebooks.snapshot import build_snapshot

GRACE = 60.0
POLL = 0.5
SPEC_FILE = "envyard-nb-job.json"
TERMINAL = {"SUCCEEDED", "FAILED", "STOPPED"}
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def _client(address: str | None) -> Any:
    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    try:
        from ray.job_submission import JobSubmissionClient
    except ImportError:
        raise MissingDependencyError(
            "--backend ray needs Ray", hint="pip install 'envyard[ray]'"
        ) from None
    address = address or os.environ.get("RAY_ADDRESS")
    if not address:
        raise ConfigError(
            "--backend ray needs the cluster address",
            hint="pass --ray-address http://HEAD:8265 or set RAY_ADDRESS",
        )
    return JobSubmissionClient(address)


def _stage(job: Job, where: Path) -> tuple[Path, str]:
    """The snapshot to upload, with the job spec file; returns (root, spec path inside)."""
    snapshot = build_snapshot(job.path, job.settings, where)
    relative = snapshot.notebook.relative_to(snapshot.root).as_posix()
    spec: dict[str, Any] = {
        "notebook": relative,
        "settings": job.settings.model_dump(mode="json"),
        "shown": job.shown,
        "timeout": job.timeout,
        # Ray unpacks a working_dir once per content hash and shares it: a nonce gives every
        # job its own folder (the kernel runs in it and the notebook may write there)
        "nonce": secrets.token_hex(8),
    }
    if job.kernel.environment:  # resolved here: workers need no registry access or token
        from envyard.backends.locks import lock_of
        from envyard.notebooks.envs import get_environment

        environment = get_environment(job.kernel.environment)
        spec["environment"] = environment.model_dump(mode="json", by_alias=True)
        lock = lock_of(environment)  # the version's stored lock: the worker installs it as is
        spec["lock"] = lock.model_dump(mode="json") if lock is not None else None
    (snapshot.root / SPEC_FILE).write_text(json.dumps(spec), encoding="utf-8")
    return snapshot.root, SPEC_FILE


def _error(job: Job, message: str, reason: str, log: str = "") -> NotebookResult:
    result = NotebookResult(job.shown, job.path.name, "error", message=message, reason=reason)
    result.kernel_log = "\n".join(log.strip().splitlines()[-20:])
    return result


class _RayRun:
    def __init__(self, client: Any, options: RunOptions, listener: Listener | None) -> None:
        self.client = client
        self.options = options
        self.listener = listener or (lambda _e, _i: None)
        self.staging = Path(tempfile.mkdtemp(prefix="envyard-nb-ray-"))

    async def one(self, index: int, job: Job, slots: asyncio.Semaphore) -> NotebookResult:
        async with slots:
            self.listener("start", job)
            started = time.monotonic()
            try:
                result = await self._submit_and_wait(index, job)
            except Exception as exc:  # a clear result per notebook, never a crashed run
                result = _error(job, f"{type(exc).__name__}: {exc}", "ray")
            if result.duration == 0.0:
                result.duration = time.monotonic() - started
            self.listener("done", result)
            return result

    async def _submit_and_wait(self, index: int, job: Job) -> NotebookResult:
        root, spec = await asyncio.to_thread(_stage, job, self.staging / f"{index:04d}")
        submission = f"envyard-nb-{secrets.token_hex(6)}"
        # only where the worker keeps its kernel cache: never the registry URL or token, which
        # the Ray dashboard would show (the environment travels in the uploaded job spec)
        env_vars = {k: os.environ[k] for k in ("ENVYARD_HOME",) if k in os.environ}
        await asyncio.to_thread(
            self.client.submit_job,
            entrypoint=f"python -m envyard.notebooks.remote {shlex.quote(spec)}",
            submission_id=submission,
            runtime_env={"working_dir": str(root), "env_vars": {**env_vars, **RAY_ENV}},
            entrypoint_num_cpus=1,
            metadata={"envyard-notebook": job.shown},
        )
        limit = (job.timeout or 0) + GRACE
        deadline = time.monotonic() + limit
        status = ""
        while status not in TERMINAL:
            if time.monotonic() > deadline:
                await asyncio.to_thread(self.client.stop_job, submission)
                logs = await asyncio.to_thread(self.client.get_job_logs, submission)
                return _error(
                    job, f"ray job {submission} did not finish in {limit:g}s", "ray", logs
                )
            await asyncio.sleep(POLL)
            status = str(await asyncio.to_thread(self.client.get_job_status, submission))
            status = status.rsplit(".", 1)[-1]
        logs = await asyncio.to_thread(self.client.get_job_logs, submission)
        payload = find_result(logs)
        if payload is None:
            return _error(job, f"ray job {submission} ended {status} without a result", "ray", logs)
        result = NotebookResult.from_dict(payload["result"])
        nb = notebook_from(payload)
        if nb is not None and self.options.output_dir is not None:
            target = output_path(self.options.output_dir, job.shown)
            save_notebook(nb, target)
            result.output = str(target)
        result.kernel = f"ray job {submission}"
        return result


async def run_on_ray(
    jobs: list[Job],
    options: RunOptions,
    listener: Listener | None = None,
    address: str | None = None,
) -> list[NotebookResult]:
    """Run every job as a Ray job; results in the same order."""
    client = await asyncio.to_thread(_client, address)
    run = _RayRun(client, options, listener)
    slots = asyncio.Semaphore(max(1, options.workers))
    try:
        return list(await asyncio.gather(*(run.one(i, j, slots) for i, j in enumerate(jobs))))
    finally:
        shutil.rmtree(run.staging, ignore_errors=True)
