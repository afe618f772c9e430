"""Run planned notebooks on a pool of pre-started, single-use kernels.

Pipeline per notebook: snapshot working directory -> kernel started *in* it (ahead of time, by
the pool) -> inject -> execute -> kill the kernel -> scrub -> save. The pool keeps up to
``workers`` kernels started ahead of the ``workers`` notebooks running, in queue order, and
starts the next one as soon as a running notebook takes its kernel, so kernel start-up overlaps
execution. A kernel runs exactly one notebook and is then killed: every notebook gets a fresh
process. Kernel *start* failures are retried (see :mod:`envyard.notebooks.kernels`); notebook
failures never are.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from envyard.atomicfile import write_atomic
from envyard.errors import ConfigError, EnvyardError
from envyard.notebooks.execute import Outcome, execute
from envyard.notebooks.inject import inject, scrub
from envyard.notebooks.kernels import KernelStarter, StartedKernel
from envyard.notebooks.plan import Job, base_env
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.snapshot import build_snapshot

Listener = Callable[[str, Job | NotebookResult], None]
"""Called with ("start", job) and ("done", result)."""


@dataclass
class RunOptions:
    workers: int = 2
    output_dir: Path | None = None
    grace: float = 2.0
    startup_timeout: float = 60.0
    fork: bool = True  # Python kernels from a fork server (else python -m ipykernel_launcher)
    in_place: bool = False  # run in the notebook's own folder (already a snapshot: remote jobs)


def output_path(output_dir: Path, shown: str) -> Path:
    """Where the executed notebook shown as ``shown`` is saved (absolute paths nest whole)."""
    relative = Path(shown)
    if relative.is_absolute():
        relative = Path(*relative.parts[1:])
    return output_dir / relative


def save_notebook(nb: nbformat.NotebookNode, target: Path) -> None:
    """Write the executed notebook atomically."""
    write_atomic(target, nbformat.writes(nb))  # type: ignore[no-untyped-call]


@dataclass
class _Prepared:
    job: Job
    kernel: asyncio.Task[StartedKernel]
    workdir: Path


class Runner:
    def __init__(self, options: RunOptions, listener: Listener | None = None) -> None:
        self.options = options
        self.listener = listener or (lambda _event, _item: None)
        self.starter = KernelStarter(startup_timeout=options.startup_timeout, fork=options.fork)
        self.workroot = Path(tempfile.mkdtemp(prefix="envyard-nb-"))
        self._cleanup: set[asyncio.Task[None]] = set()
        self._seq = 0

    async def _stop(self, kernel: StartedKernel, workdir: Path) -> None:
        await kernel.stop()
        await asyncio.to_thread(shutil.rmtree, workdir, True)

    async def run(self, jobs: list[Job]) -> list[NotebookResult]:
        """Run ``jobs``; results in the same order. May be called again (kernels are new)."""
        workers = max(1, self.options.workers)
        queue: asyncio.Queue[tuple[int, _Prepared] | None] = asyncio.Queue()
        ahead = asyncio.Semaphore(workers)
        results: dict[int, NotebookResult] = {}

        async def produce() -> None:
            for position, job in enumerate(jobs):
                await ahead.acquire()
                self._seq += 1
                workdir = self.workroot / f"{self._seq:04d}-{job.path.stem}"
                task = asyncio.create_task(self._start(job, workdir))
                queue.put_nowait((position, _Prepared(job, task, workdir)))
            for _ in range(workers):
                queue.put_nowait(None)

        async def consume() -> None:
            while (entry := await queue.get()) is not None:
                position, item = entry
                self.listener("start", item.job)
                result = await self._run_one(item, ahead)
                results[position] = result
                self.listener("done", result)

        await asyncio.gather(produce(), *(consume() for _ in range(workers)))
        return [results[position] for position in range(len(jobs))]

    async def close(self) -> None:
        """Finish tidying up, kill anything left, stop the fork servers."""
        while self._cleanup:
            await asyncio.gather(*list(self._cleanup), return_exceptions=True)
        await self.starter.close()
        shutil.rmtree(self.workroot, ignore_errors=True)

    async def _start(self, job: Job, workdir: Path) -> StartedKernel:
        if self.options.in_place:
            cwd = job.path.parent
        else:
            snapshot = await asyncio.to_thread(build_snapshot, job.path, job.settings, workdir)
            cwd = snapshot.cwd
        return await self.starter.start(job.kernel.choice, cwd, base_env(job))

    async def _run_one(self, item: _Prepared, ahead: asyncio.Semaphore) -> NotebookResult:
        job = item.job
        started = time.monotonic()
        try:
            kernel = await item.kernel
            started = time.monotonic()  # the notebook's time starts when its kernel is ready
        except ConfigError as exc:
            return self._result(job, Outcome("error", "config", str(exc)), started)
        except EnvyardError as exc:
            return self._result(job, Outcome("error", "kernel-start", str(exc)), started)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            return self._result(job, Outcome("error", "kernel-start", message), started)
        finally:
            ahead.release()  # this kernel left the pool: start the next one now
        nb = inject(job.nb, job.injection)
        try:
            outcome = await execute(
                kernel,
                nb,
                cell_timeout=job.settings.cell_timeout,
                timeout=job.timeout,
                grace=self.options.grace,
                before=job.injection.before_each,
                after=job.injection.after_each,
                allow_errors=job.allow_errors,
            )
        except Exception as exc:  # nbclient/jupyter_client surprises: report, never crash
            outcome = Outcome("error", "runner", f"{type(exc).__name__}: {exc}")
        finally:
            kernel.kill_now()  # single use: it ran its notebook; tidy up off the critical path
            task = asyncio.create_task(self._stop(kernel, item.workdir))
            self._cleanup.add(task)
            task.add_done_callback(self._cleanup.discard)
        result = self._result(job, outcome, started)
        result.kernel_log = kernel.log_tail() if outcome.status == "error" else ""
        scrub(nb, job.injection.parameters)
        if self.options.output_dir is not None:
            target = output_path(self.options.output_dir, job.shown)
            try:
                save_notebook(nb, target)
                result.output = str(target)
            except OSError as exc:
                result.message = f"{result.message} (could not save: {exc.strerror})".strip()
        return result

    def _result(self, job: Job, outcome: Outcome, started: float) -> NotebookResult:
        return NotebookResult(
            path=job.shown,
            name=job.path.name,
            status=outcome.status,
            duration=time.monotonic() - started,
            message=outcome.message,
            reason=outcome.reason,
            cell_index=outcome.cell_index,
            cell_source=outcome.cell_source,
            traceback=outcome.traceback,
            cells=outcome.cells,
            environment=job.kernel.environment,
            kernel=job.kernel.choice.label,
        )


async def run_jobs(
    jobs: list[Job], options: RunOptions, listener: Listener | None = None
) -> list[NotebookResult]:
    runner = Runner(options, listener)
    try:
        return await runner.run(jobs)
    finally:
        await runner.close()
