"""A started single-use kernel: its manager and client, its log, exit status, kill and stop.

Made by :class:`envyard.notebooks.kernels.KernelStarter`. A forked kernel (its provisioner is a
:class:`~envyard.notebooks.provisioner.ForkProvisioner`) is killed with its process group and
reaped by its fork server; any other is shut down through its ``KernelManager``, then the
choice's cleanup command runs (``podman rm -f``). Either way its private folder is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_client.manager import AsyncKernelManager

from envyard.notebooks.provisioner import ForkProvisioner

if TYPE_CHECKING:
    from envyard.notebooks.choice import KernelChoice


@dataclass
class StartedKernel:
    km: AsyncKernelManager
    kc: Any
    directory: Path
    choice: KernelChoice
    stopped: bool = False
    cleanup: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)  # its kernel_info reply, when known

    def log_tail(self, lines: int = 15) -> str:
        log = self.directory / "kernel.log"
        try:
            text = log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    async def exit_status(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None)
        if process is None:
            return None
        status = process.poll()
        return None if status is None else int(status)

    def kill_now(self) -> None:
        """SIGKILL the kernel's process group at once (the slower cleanup is :meth:`stop`)."""
        process = getattr(self.km.provisioner, "process", None)
        if process is None:
            return
        with contextlib.suppress(OSError):  # the group: also what the notebook started
            os.killpg(process.pid, signal.SIGKILL)
        if process.poll() is None:
            with contextlib.suppress(OSError):
                process.kill()

    async def stop(self) -> None:
        """Kill the kernel (it ran its one notebook) and remove its directory."""
        if self.stopped:
            return
        self.stopped = True
        with contextlib.suppress(Exception):
            stop_channels(self.kc)
        if isinstance(self.km.provisioner, ForkProvisioner):
            # killed with its process group (kill_now): wait (bounded) for the fork server to
            # report it gone, then only its directory (connection file, sockets, log) is left
            self.kill_now()
            deadline = time.monotonic() + 5
            while await self.exit_status() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            shutil.rmtree(self.directory, ignore_errors=True)
            return
        with contextlib.suppress(Exception):
            if self.km.has_kernel:
                await self.km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await self.km.cleanup_resources()
        if self.cleanup:
            await _run_until_ok(self.cleanup)
        shutil.rmtree(self.directory, ignore_errors=True)


def stop_channels(kc: Any) -> None:
    """Stop the client's channels that were started. ``kc.stop_channels()`` asks every
    channel whether it is alive, which creates (and connects a socket for) each one never
    started: stdin, heartbeat and control here (see ``kernels._CHANNELS``)."""
    if kc is None:
        return
    for name in ("shell", "iopub", "stdin", "hb", "control"):
        channel = getattr(kc, f"_{name}_channel", None)  # None: never created
        if channel is not None and channel.is_alive():
            channel.stop()


async def _run_until_ok(argv: list[str], attempts: int = 20) -> None:
    """Run a cleanup command until it succeeds (``podman rm`` fails while a removal races)."""
    for _ in range(attempts):
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
            )
        except OSError:
            return
        if await proc.wait() == 0:
            return
        await asyncio.sleep(0.5)
