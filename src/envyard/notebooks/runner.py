"""Run planned notebooks on a pool of pre-started, single-use kernels.

Pipeline per notebook: snapshot working directory -> kernel started *in* it (ahead of time, by
the pool) -> inject -> execute -> kill the kernel -> scrub -> save. The pool keeps up to
``AHEAD * workers`` kernels started ahead of the ``workers`` notebooks running, in queue order,
and starts the next one as soon as a running notebook takes its kernel, so kernel start-up
overlaps execution (a small notebook runs in less time than a kernel takes to start: with only
``workers`` ahead, workers sat idle waiting for their next kernel). A kernel runs exactly one
notebook and is then killed: every notebook gets a fresh process. Kernel *start* failures are
retried (see :mod:`envyard.notebooks.kernels`); notebook failures never are.

Ctrl-C (:mod:`envyard.notebooks.stop`): :meth:`Runner.interrupt` stops scheduling, interrupts the
running cells (killing kernels that do not stop within a grace period) and kills the kernels
started ahead; running notebooks end as ``error``/``interrupted``, the others are reported as
not run (``skipped``/``interrupted``). :meth:`Runner.kill_now` kills every kernel at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from envyard.atomicfile import write_atomic
from envyard.errors import ConfigError, EnvyardError
from envyard.notebooks import contain
from envyard.notebooks.execute import execute
from envyard.notebooks.inject import inject, scrub
from envyard.notebooks.job import Job, Listener, RunOptions
from envyard.notebooks.kernels import KernelStarter
from envyard.notebooks.outcome import Outcome
from envyard.notebooks.plan import base_env
from envyard.notebooks.results import NotebookResult
from envyard.notebooks.snapshot import build_snapshot
from envyard.notebooks.started import StartedKernel
from envyard.notebooks.stop import INTERRUPT_GRACE, STOP

AHEAD = 2
"""Kernels started ahead per worker."""


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
        self._cleanup: set[asyncio.Task[None]] = set()
        self._seq = 0
        self.interrupted = STOP.requested > 0
        self.mark = contain.run_mark()
        contain.sweep_stale()  # what runs killed with kill -9 left behind: processes, folders
        self.workroot = contain.workroot(self.mark)
        self._starting: set[asyncio.Task[StartedKernel]] = set()
        self._running: dict[int, tuple[StartedKernel, asyncio.Task[Outcome]]] = {}
        self._stopped_running: set[int] = set()  # notebooks that were running at Ctrl-C
        STOP.runners.add(self)

    def interrupt(self) -> None:
        """Stop: no new notebook, running cells interrupted, kernels started ahead killed."""
        self.interrupted = True
        for task in list(self._starting):
            task.cancel()
        for key, (kernel, execution) in list(self._running.items()):
            if key not in self._stopped_running:
                self._stopped_running.add(key)
                self._track(asyncio.create_task(self._stop_running(kernel, execution)))

    def kill_now(self) -> None:
        """SIGKILL every kernel of this runner now (a second Ctrl-C; the process exits next)."""
        for kernel in list(self.starter.live()):
            kernel.kill_now()
        contain.sweep(self.mark)

    async def _stop_running(self, kernel: StartedKernel, execution: asyncio.Task[Outcome]) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(kernel.km.interrupt_kernel(), INTERRUPT_GRACE)
        await asyncio.wait([execution], timeout=INTERRUPT_GRACE)
        if not execution.done():
            kernel.kill_now()
            execution.cancel()

    def _track(self, task: asyncio.Task[None]) -> None:
        self._cleanup.add(task)
        task.add_done_callback(self._cleanup.discard)

    async def _stop(self, kernel: StartedKernel, workdir: Path) -> None:
        await kernel.stop()
        await asyncio.to_thread(shutil.rmtree, workdir, True)

    async def run(self, jobs: list[Job]) -> list[NotebookResult]:
        """Run ``jobs``; results in the same order. May be called again (kernels are new)."""
        workers = max(1, self.options.workers)
        queue: asyncio.Queue[tuple[int, _Prepared] | None] = asyncio.Queue()
        ahead = asyncio.Semaphore(AHEAD * workers)
        results: dict[int, NotebookResult] = {}

        async def produce() -> None:
            for position, job in enumerate(jobs):
                await ahead.acquire()
                if self.interrupted:
                    break
                self._seq += 1
                workdir = self.workroot / f"{self._seq:04d}-{job.path.stem}"
                task = asyncio.create_task(self._start(job, workdir))
                self._starting.add(task)
                task.add_done_callback(self._starting.discard)
                queue.put_nowait((position, _Prepared(job, task, workdir)))
            for _ in range(workers):
                queue.put_nowait(None)

        async def consume() -> None:
            while (entry := await queue.get()) is not None:
                position, item = entry
                if self.interrupted:
                    results[position] = await self._not_run(item, ahead)
                else:
                    self.listener("start", item.job)
                    results[position] = await self._run_one(item, ahead)
                self.listener("done", results[position])

        await asyncio.gather(produce(), *(consume() for _ in range(workers)))
        for position, job in enumerate(jobs):
            if position not in results:
                results[position] = _not_run_result(job)
                self.listener("done", results[position])
        return [results[position] for position in range(len(jobs))]

    async def _not_run(self, item: _Prepared, ahead: asyncio.Semaphore) -> NotebookResult:
        """A notebook whose kernel was started ahead when Ctrl-C came: kill it, report."""
        try:
            kernel = await item.kernel
        except BaseException:  # noqa: S110 - cancelled or failed: nothing is left to stop
            pass
        else:
            kernel.kill_now()
            self._track(asyncio.create_task(self._stop(kernel, item.workdir)))
        finally:
            ahead.release()
        return _not_run_result(item.job)

    async def close(self) -> None:
        """Finish tidying up, kill anything left, stop the fork servers.

        The last kernels' stops (each waits to see its kernel gone) run alongside the fork
        servers' close, which kills and reaps every kernel left anyway: the run's end waits
        for the slower of the two, not for both in turn."""

        async def tidy() -> None:
            while self._cleanup:
                await asyncio.gather(*list(self._cleanup), return_exceptions=True)

        await asyncio.gather(tidy(), self.starter.close())
        await asyncio.to_thread(contain.sweep, self.mark)  # what the notebooks started
        STOP.runners.discard(self)
        shutil.rmtree(self.workroot, ignore_errors=True)

    async def _start(self, job: Job, workdir: Path) -> StartedKernel:
        if self.options.in_place:
            cwd = job.path.parent
        else:
            snapshot = await asyncio.to_thread(build_snapshot, job.path, job.settings, workdir)
            cwd = snapshot.cwd
        env = base_env(job)
        env[contain.MARK] = self.mark  # inherited by everything the notebook starts
        return await self.starter.start(job.kernel.choice, cwd, env)

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
        key = id(item)
        try:
            execution = asyncio.create_task(self._execute(kernel, nb, job))
            self._running[key] = (kernel, execution)
            if self.interrupted:
                self.interrupt()  # Ctrl-C came while this kernel was being handed over
            try:
                outcome = await execution
            except asyncio.CancelledError:
                if not self.interrupted:
                    raise
                outcome = Outcome("error", "interrupted", "killed after Ctrl-C")
            if key in self._stopped_running and outcome.status != "passed":
                where = "" if outcome.cell_index is None else f" in cell {outcome.cell_index + 1}"
                outcome.status, outcome.reason = "error", "interrupted"
                outcome.message = f"interrupted by Ctrl-C{where}"
        except Exception as exc:  # nbclient/jupyter_client surprises: report, never crash
            outcome = Outcome("error", "runner", f"{type(exc).__name__}: {exc}")
        finally:
            self._running.pop(key, None)
            kernel.kill_now()  # single use: it ran its notebook; tidy up off the critical path
            self._track(asyncio.create_task(self._stop(kernel, item.workdir)))
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

    async def _execute(self, kernel: StartedKernel, nb: nbformat.NotebookNode, job: Job) -> Outcome:
        return await execute(
            kernel,
            nb,
            cell_timeout=job.settings.cell_timeout,
            timeout=job.timeout,
            grace=self.options.grace,
            before=job.injection.before_each,
            after=job.injection.after_each,
            allow_errors=job.allow_errors,
        )

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


def _not_run_result(job: Job) -> NotebookResult:
    message = "not run: the run was interrupted (Ctrl-C)"
    return NotebookResult(
        job.shown, job.path.name, "skipped", message=message, reason="interrupted"
    )


async def run_jobs(
    jobs: list[Job], options: RunOptions, listener: Listener | None = None
) -> list[NotebookResult]:
    runner = Runner(options, listener)
    try:
        return await runner.run(jobs)
    finally:
        await runner.close()
