"""Talk to a kernel fork server, and a jupyter_client provisioner that launches through it.

:class:`ForkServer` runs :mod:`envyard.notebooks.forkserver` in a given Python interpreter and
asks it for kernels; :class:`ForkProvisioner` plugs that into ``jupyter_client`` so a
``KernelManager`` (and nbclient) drive the forked kernel like any other: interrupt, kill, poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from envyard.errors import ExecutionError
from envyard.notebooks import early

_READY_TIMEOUT = 60.0


class _Adopted:
    """An ``asyncio.subprocess.Process``-like view of a fork server started by
    :func:`envyard.notebooks.early.prestart` (a ``subprocess.Popen``)."""

    def __init__(
        self, popen: subprocess.Popen[bytes], reader: asyncio.StreamReader, writer: Any
    ) -> None:
        self.popen, self.stdout, self.stdin, self.pid = popen, reader, writer, popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    async def wait(self) -> int:
        while self.popen.poll() is None:
            await asyncio.sleep(0.002)  # at the run's end, which waits for it
        return int(self.popen.returncode)


async def _adopt(popen: subprocess.Popen[bytes]) -> _Adopted:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), popen.stdout)
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin,
        popen.stdin,
    )
    return _Adopted(popen, reader, asyncio.StreamWriter(transport, protocol, reader, loop))


class ForkedProcess:
    """A ``Popen``-like view of a kernel forked by a :class:`ForkServer`."""

    def __init__(self, pid: int, server: ForkServer) -> None:
        self.pid = pid
        self._server = server
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        return self._server.exit_status(self.pid)

    def wait(self, timeout: float | None = None) -> int | None:
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)
        except OSError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


@dataclass
class ForkServer:
    """One fork server process for one Python interpreter."""

    python: str
    workdir: Path
    _proc: Any = None  # an asyncio.subprocess.Process, or an _Adopted one
    _reader: asyncio.Task[None] | None = None
    _pending: dict[int, asyncio.Future[int]] = field(default_factory=dict)
    _exits: dict[int, int] = field(default_factory=dict)
    _announced: dict[int, dict[str, Any]] = field(default_factory=dict)
    _next: int = 0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    failure: str | None = None
    _early_dir: Path | None = None

    async def start(self) -> None:
        """Start the server (or take the one started early); raises ExecutionError if the
        interpreter cannot import ipykernel."""
        taken = early.take(self.python)
        if taken is not None:
            popen, self._early_dir = taken
            log = self._early_dir / early.LOG
            self._proc = await _adopt(popen)
        else:
            log = self.workdir / f"forkserver-{id(self)}.log"
            with log.open("wb") as stderr:
                self._proc = await asyncio.create_subprocess_exec(
                    *early.command(self.python),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=stderr,
                    cwd=self.workdir,
                    env=early.environment(),
                    start_new_session=True,
                )
        if self._proc.stdout is None:  # pragma: no cover - stdout=PIPE always gives a stream
            raise ExecutionError("the kernel fork server has no stdout")
        try:
            line = await asyncio.wait_for(self._proc.stdout.readline(), _READY_TIMEOUT)
        except TimeoutError:
            line = b""
        if not line.startswith(b'{"ready"'):
            await self.close()
            err = log.read_text(encoding="utf-8", errors="replace")
            tail = err.strip().splitlines()[-3:]
            self.failure = f"{self.python} cannot start an IPython kernel: " + " | ".join(tail)
            raise ExecutionError(self.failure)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        if self._proc is None or self._proc.stdout is None:  # pragma: no cover - see start()
            return
        while True:
            line = await self._proc.stdout.readline()
            if not line:
                break
            message: dict[str, Any] = json.loads(line)
            if "exit" in message:
                self._exits[int(message["exit"])] = int(message["status"])
                continue
            future = self._pending.pop(int(message["id"]), None)
            if future is None or future.done():
                continue
            if "pid" in message:
                if isinstance(message.get("info"), dict):
                    self._announced[int(message["pid"])] = message["info"]
                future.set_result(int(message["pid"]))
            else:
                future.set_exception(ExecutionError(str(message.get("error"))))
        self.failure = self.failure or "the kernel fork server exited"
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ExecutionError(self.failure))
        self._pending.clear()

    async def spawn(self, connection_file: str, cwd: str, env: dict[str, str], log: str) -> int:
        """Fork a kernel; returns its pid."""
        if self._proc is None or self._proc.stdin is None or self._proc.returncode is not None:
            raise ExecutionError(self.failure or "the kernel fork server is not running")
        async with self._lock:
            self._next += 1
            ident = self._next
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            self._pending[ident] = future
            request = {"id": ident, "connection_file": connection_file, "cwd": cwd}
            request |= {"env": env, "log": log}
            self._proc.stdin.write(json.dumps(request).encode() + b"\n")
            await self._proc.stdin.drain()
        return await asyncio.wait_for(future, _READY_TIMEOUT)

    def announced(self, pid: int) -> dict[str, Any] | None:
        """The ``kernel_info`` answer the server announced for kernel ``pid`` (taken once):
        that kernel greets its IOPub subscribers, so no ``kernel_info`` round trip is needed."""
        return self._announced.pop(pid, None)

    def exit_status(self, pid: int) -> int | None:
        if pid in self._exits:
            return self._exits[pid]
        if self._proc is None or self._proc.returncode is not None:
            return -int(signal.SIGKILL)  # the server killed its kernels when it stopped
        return None

    async def close(self) -> None:
        """Stop the server; it kills any kernel still running."""
        proc = self._proc
        if proc is None:
            return
        if proc.stdin is not None and not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)
        if isinstance(proc, _Adopted) and proc.popen.stdout is not None:
            proc.popen.stdout.close()  # its read transport ended at EOF
        if self._early_dir is not None:
            shutil.rmtree(self._early_dir, ignore_errors=True)


class ForkProvisioner(LocalProvisioner):
    """Launch the kernel by asking a :class:`ForkServer` (set ``server`` before starting)."""

    server: ForkServer | None = None
    log_file: str = os.devnull
    announced: dict[str, Any] | None = None  # see ForkServer.announced

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if self.server is None:  # pragma: no cover - KernelStarter always sets it
            raise ExecutionError("ForkProvisioner used without a fork server")
        km: Any = self.parent
        env = dict(kwargs.get("env") or {})
        cwd = str(kwargs.get("cwd") or Path.cwd())
        pid = await self.server.spawn(km.connection_file, cwd, env, self.log_file)
        self.announced = self.server.announced(pid)
        self.process = ForkedProcess(pid, self.server)  # type: ignore[assignment]
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        if self.process is None:
            return 0
        while await self.poll() is None:
            await asyncio.sleep(0.02)
        status = self.process.poll()
        self.process = None
        return int(status) if status is not None else None
