"""Execute one (injected) notebook on a started kernel with nbclient, cell by cell.

Timeouts: each cell gets ``min(cell_timeout, time left for the notebook)``; when it runs out the
kernel is interrupted (SIGINT), the interrupted traceback is collected for up to ``grace``
seconds, and the caller kills the kernel. A kernel that dies (``os._exit``, a segfault, the OOM
killer) is reported with its exit status and the tail of its log. After a failing cell the
injected teardown cells still run; the remaining user cells are reported as ``not-run``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from envyard.notebooks.inject import role, user_indices
from envyard.notebooks.kernels import StartedKernel
from envyard.notebooks.results import CellResult, CellStatus, Status, strip_ansi

SKIP_TAG = "skip-execution"


@dataclass
class Outcome:
    status: Status
    reason: str = ""
    message: str = ""
    cell_index: int | None = None
    cell_source: str = ""
    traceback: str = ""
    cells: list[CellResult] = field(default_factory=list)


def _error_output(cell: NotebookNode) -> dict[str, Any] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return dict(output)
    return None


def _describe(error: dict[str, Any] | None) -> tuple[str, str]:
    if not error:
        return "", ""
    message = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".rstrip(": ")
    return strip_ansi(message), strip_ansi("\n".join(error.get("traceback") or []))


def _seconds(value: float) -> str:
    return f"{value:g}s"


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


async def execute(
    kernel: StartedKernel,
    nb: NotebookNode,
    *,
    cell_timeout: float | None,
    timeout: float | None,
    grace: float = 2.0,
) -> Outcome:
    """Run ``nb`` (modified in place with outputs) and return what happened."""
    client = NotebookClient(
        nb,
        km=kernel.km,
        interrupt_on_timeout=False,
        skip_cells_with_tag=SKIP_TAG,
        record_timing=False,
        iopub_timeout=4,
        shell_timeout_interval=1,
    )
    client.kc = kernel.kc
    client.reset_execution_trackers()
    started = time.monotonic()
    try:
        info = await client.async_wait_for_reply(kernel.kc.kernel_info())
        if info is not None and "language_info" in info["content"]:
            nb.metadata["language_info"] = info["content"]["language_info"]
    except Exception:  # noqa: S110 - metadata only; a dead kernel shows up on the first cell
        pass
    deadline = started + timeout if timeout else None
    indices = user_indices(nb)
    cells: list[CellResult] = []
    outcome: Outcome | None = None
    teardown_only = False
    for position, cell in enumerate(nb.cells):
        index = indices[position]
        cell_role = role(cell)
        if teardown_only and cell_role != "teardown":
            if index is not None:
                cells.append(CellResult(index, cell.source, "not-run"))
            continue
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        if SKIP_TAG in cell.metadata.get("tags", []):
            if index is not None:
                cells.append(CellResult(index, cell.source, "skipped", message=SKIP_TAG))
            continue
        limits = [t for t in (cell_timeout,) if t]
        if deadline is not None:
            limits.append(max(deadline - time.monotonic(), 0.001))
        current = min(limits) if limits else None
        client.timeout_func = lambda _cell, value=current: value
        which = (
            "notebook"
            if deadline is not None and (not cell_timeout or (current or 0) < cell_timeout)
            else "cell"
        )
        begun = time.monotonic()
        status: CellStatus = "passed"
        try:
            await client.async_execute_cell(cell, position)
            if _error_output(cell) is not None:
                status = "expected-error"
        except CellExecutionError:
            status = "failed"
            message, trace = _describe(_error_output(cell))
            if cell_role == "teardown" and outcome is not None:
                pass  # the first failure is the one reported
            elif outcome is None:
                outcome = Outcome("failed", "cell-error", message, index, cell.source, trace)
                if cell_role is not None:
                    outcome.message = f"injected {cell_role} cell failed: {message}"
            teardown_only = True
        except CellTimeoutError:
            status = "error"
            limit = cell_timeout if which == "cell" else timeout
            trace = await _interrupt_and_collect(kernel, grace)
            outcome = Outcome(
                "error",
                "timeout",
                f"{which} timeout: cell {index} still running after {_seconds(limit or 0)}"
                "; interrupted, then the kernel was killed",
                index,
                cell.source,
                trace,
            )
        except DeadKernelError:
            status = "error"
            code = await kernel.exit_status()
            shown = "unknown" if code is None else (f"signal {-code}" if code < 0 else str(code))
            outcome = Outcome(
                "error",
                "dead-kernel",
                f"the kernel died (exit status {shown}) while running cell {index}",
                index,
                cell.source,
                kernel.log_tail(),
            )
        duration = time.monotonic() - begun
        if index is not None:
            message, trace = _describe(_error_output(cell)) if status != "passed" else ("", "")
            if outcome is not None and outcome.cell_index == index and status == "error":
                message, trace = outcome.message, outcome.traceback
            cells.append(CellResult(index, cell.source, status, duration, message, trace))
        if outcome is not None and outcome.status == "error":
            teardown_only = False
            break
    if outcome is not None and outcome.status == "error":
        seen = {c.index for c in cells}
        for position, cell in enumerate(nb.cells):
            index = indices[position]
            if index is not None and index not in seen and cell.cell_type == "code":
                cells.append(CellResult(index, cell.source, "not-run"))
    cells.sort(key=lambda c: c.index)
    result = outcome or Outcome("passed")
    result.cells = cells
    return result
