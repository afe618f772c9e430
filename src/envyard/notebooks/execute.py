"""Execute one (injected) notebook on a started kernel with nbclient, cell by cell.

Timeouts: each cell gets ``min(cell_timeout, time left for the notebook)``; when it runs out the
kernel is interrupted (SIGINT), the interrupted traceback is collected for up to ``grace``
seconds, and the caller kills the kernel. A kernel that dies (``os._exit``, a segfault, the OOM
killer) is reported with its exit status and the tail of its log. After a failing cell the
injected teardown cells still run; the remaining user cells are reported as ``not-run``.

Injected cells run with ``store_history=False`` (the user's cells keep plain-run execution
counts). Per-cell ``before`` / ``after`` code is sent as hidden executions (``silent=True``)
around each user code cell: its outputs never reach the notebook, and a failure in it fails
that cell's notebook with a message naming the injected code.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from envyard.notebooks.inject import role, user_indices
from envyard.notebooks.nbmeta import RAISES_TAG, SKIP_TAG, after_cell_code, tags
from envyard.notebooks.outcome import (
    HiddenCodeError,
    Outcome,
    clean_exit,
    describe,
    error_output,
    number,
    seconds,
)
from envyard.notebooks.results import CellResult, CellStatus, strip_ansi
from envyard.notebooks.started import StartedKernel


class _Client(NotebookClient):
    """nbclient, keeping hold of its output-polling tasks.

    After a cell timeout nbclient leaves the task reading IOPub running (it expects the caller
    to carry on with the kernel); the kernel is killed here instead, so those tasks are
    cancelled before the channels close.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.output_tasks: set[asyncio.Task[Any]] = set()

    async def _async_poll_output_msg(self, parent_msg_id: str, cell: Any, cell_index: int) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.output_tasks.add(task)
        try:
            await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        finally:
            if task is not None:
                self.output_tasks.discard(task)

    async def cancel_output_tasks(self) -> None:
        tasks = [t for t in self.output_tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _interrupt_and_collect(kernel: StartedKernel, grace: float) -> str:
    """Interrupt the kernel and return the interrupted cell's traceback (if it answers)."""
    try:
        await kernel.km.interrupt_kernel()
        deadline = time.monotonic() + grace
        while (left := deadline - time.monotonic()) > 0:
            msg = await kernel.kc.shell_channel.get_msg(timeout=left)
            content = msg.get("content", {})
            if msg.get("msg_type") == "execute_reply" and content.get("status") == "error":
                return strip_ansi("\n".join(content.get("traceback") or []))
    except Exception:  # noqa: S110 - the kernel is killed next whatever happens here
        pass
    return ""


class _Execution:
    """The state of one notebook's execution; :meth:`run` walks the cells."""

    def __init__(
        self,
        kernel: StartedKernel,
        nb: NotebookNode,
        *,
        cell_timeout: float | None,
        timeout: float | None,
        grace: float,
        around: tuple[str, str] = ("", ""),
        allow_errors: bool = False,
    ) -> None:
        self.kernel, self.nb, self.grace = kernel, nb, grace
        self.allow_errors = allow_errors
        self.before, self.after = around
        self.cell_timeout, self.timeout = cell_timeout, timeout
        self.client = _Client(
            nb,
            km=kernel.km,
            interrupt_on_timeout=False,
            allow_errors=allow_errors,
            skip_cells_with_tag=SKIP_TAG,
            record_timing=False,
            iopub_timeout=4,
            shell_timeout_interval=1,
        )
        self.client.kc = kernel.kc
        self.client.reset_execution_trackers()
        self.deadline = time.monotonic() + timeout if timeout else None
        self.indices = user_indices(nb)
        self.cells: list[CellResult] = []
        self.outcome: Outcome | None = None
        self.exited = False  # a user cell raised SystemExit(0)

    async def language_info(self) -> None:
        if "language_info" in self.kernel.info:  # from the start-up handshake
            self.nb.metadata["language_info"] = self.kernel.info["language_info"]
            return
        try:
            info = await self.client.async_wait_for_reply(self.kernel.kc.kernel_info())
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]
        except Exception:  # noqa: S110 - metadata only; a dead kernel shows on the first cell
            pass

    def _limit(self) -> tuple[float | None, str]:
        """The current cell's time limit and which setting it comes from."""
        left = None if self.deadline is None else max(self.deadline - time.monotonic(), 0.001)
        if left is not None and (not self.cell_timeout or left < self.cell_timeout):
            return left, "notebook"
        return self.cell_timeout, "cell"

    def _record(
        self, index: int | None, cell: NotebookNode, status: CellStatus, took: float
    ) -> None:
        if index is None:
            return
        message, trace = describe(error_output(cell)) if status != "passed" else ("", "")
        if status != "passed" and self.outcome is not None and self.outcome.cell_index == index:
            message, trace = self.outcome.message, self.outcome.traceback
        self.cells.append(CellResult(index, cell.source, status, took, message, trace))

    async def _cell(self, position: int, cell: NotebookNode) -> CellStatus:
        """Run one cell; sets :attr:`outcome` on the first failure, timeout or dead kernel."""
        index, cell_role = self.indices[position], role(cell)
        limit, which = self._limit()
        self.client.timeout_func = lambda _cell: limit  # type: ignore[assignment]  # floats work
        user = cell_role is None
        try:
            if user and self.before:
                await self._hidden(self.before, "injected before_cell code", cell)
            await self.client.async_execute_cell(cell, position, store_history=user)
            if user:
                await self._after_user_cell(cell)
        except ValueError as exc:  # nbmake metadata that nbmake would not accept either
            if self.outcome is None:
                self.outcome = Outcome("failed", "cell-error", str(exc), index, cell.source)
            return "failed"
        except HiddenCodeError as exc:
            if self.outcome is None:
                self.outcome = Outcome(
                    "failed", "cell-error", exc.message, index, cell.source, exc.traceback
                )
            return "failed"
        except CellExecutionError as exc:
            error = error_output(cell)
            if user and clean_exit(error):
                self.exited = True  # papermill: sys.exit() / sys.exit(0) ends the notebook well
                return "passed"
            if self.outcome is None:
                reply = {"ename": getattr(exc, "ename", ""), "evalue": getattr(exc, "evalue", "")}
                message, trace = describe(error or reply)
                if cell_role is not None:
                    message = f"injected {cell_role} cell failed: {message}"
                self.outcome = Outcome("failed", "cell-error", message, index, cell.source, trace)
            return "failed"
        except CellTimeoutError:
            trace = await _interrupt_and_collect(self.kernel, self.grace)
            setting = self.cell_timeout if which == "cell" else self.timeout
            message = (
                f"{which} timeout: cell {number(index)} still running after "
                f"{seconds(setting or 0)}"
                "; interrupted, then the kernel was killed"
            )
            self.outcome = Outcome("error", "timeout", message, index, cell.source, trace)
            return "error"
        except DeadKernelError:
            code = await self.kernel.exit_status()
            shown = "unknown" if code is None else (f"signal {-code}" if code < 0 else str(code))
            message = f"the kernel died (exit status {shown}) while running cell {number(index)}"
            log = self.kernel.log_tail()
            self.outcome = Outcome("error", "dead-kernel", message, index, cell.source, log)
            return "error"
        return "expected-error" if error_output(cell) is not None else "passed"

    async def _after_user_cell(self, cell: NotebookNode) -> None:
        """A user cell ran: an error output fails it (even with an ``ok`` reply, as nbmake
        does), unless errors are allowed; else its nbmake mocks and post_cell_execute run,
        then the ``after_cell`` code."""
        error = error_output(cell)
        if error is None:  # nbmake applies mocks only to cells that ran cleanly
            for what, code in after_cell_code(cell):
                await self._hidden(code, what, cell)
        elif not self.allow_errors and RAISES_TAG not in tags(cell):
            raise CellExecutionError("", error.get("ename", ""), error.get("evalue", ""))
        if self.after:
            await self._hidden(self.after, "injected after_cell code", cell)

    async def _hidden(self, code: str, what: str, cell: NotebookNode) -> None:
        """Run ``code`` silently (no outputs, no history); raise HiddenCodeError on error."""
        msg_id = self.kernel.kc.execute(code, silent=True, store_history=False)
        reply = await self.client.async_wait_for_reply(msg_id, cell)
        content = (reply or {}).get("content", {})
        if content.get("status") == "error":
            raise HiddenCodeError(what, content)

    async def run(self) -> Outcome:
        try:
            await self._run_cells()
        finally:
            await self.client.cancel_output_tasks()
        seen = {c.index for c in self.cells}
        for position, cell in enumerate(self.nb.cells):
            index = self.indices[position]
            if index is not None and index not in seen and cell.cell_type == "code":
                self.cells.append(CellResult(index, cell.source, "not-run"))
        result = self.outcome or Outcome("passed")
        result.cells = sorted(self.cells, key=lambda c: c.index)
        return result

    async def _run_cells(self) -> None:
        await self.language_info()
        for position, cell in enumerate(self.nb.cells):
            index = self.indices[position]
            failed = self.outcome is not None or self.exited
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            if failed and role(cell) != "teardown":
                self._record(index, cell, "not-run", 0.0)
            elif SKIP_TAG in tags(cell):
                if index is not None:
                    self.cells.append(CellResult(index, cell.source, "skipped", message=SKIP_TAG))
            else:
                begun = time.monotonic()
                status = await self._cell(position, cell)
                self._record(index, cell, status, time.monotonic() - begun)
                if status == "error":
                    break  # the kernel is gone or about to be killed: nothing else can run


async def execute(
    kernel: StartedKernel,
    nb: NotebookNode,
    *,
    cell_timeout: float | None,
    timeout: float | None,
    grace: float = 2.0,
    before: str = "",
    after: str = "",
    allow_errors: bool = False,
) -> Outcome:
    """Run ``nb`` (modified in place with outputs) and return what happened."""
    return await _Execution(
        kernel,
        nb,
        cell_timeout=cell_timeout,
        timeout=timeout,
        grace=grace,
        around=(before, after),
        allow_errors=allow_errors,
    ).run()
