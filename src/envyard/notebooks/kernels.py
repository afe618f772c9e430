"""Start and stop single-use Jupyter kernels over IPC sockets, forked or spawned.

A :class:`~envyard.notebooks.choice.KernelChoice` says which kernel a notebook runs on: a
Python interpreter (started through a fork server after ipykernel's imports, falling back to
``python -m ipykernel_launcher``) or a named Jupyter kernelspec. Every kernel gets its own
short private directory holding its connection file, its IPC sockets (no TCP ports, so
parallel starts cannot race for a port) and its log. Only *starting* is retried; a kernel that
started is never reused (:class:`~envyard.notebooks.started.StartedKernel`: its log, kill and
stop).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

import zmq.asyncio
from jupyter_client.kernelspec import KernelSpec, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager

from envyard.errors import ExecutionError
from envyard.notebooks.choice import KernelChoice
from envyard.notebooks.provisioner import ForkProvisioner, ForkServer
from envyard.notebooks.started import StartedKernel

START_ATTEMPTS = 3


_PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
# nbclient uses shell and iopub only: no stdin (input() raises, as with allow_stdin=False), no
# heartbeat thread (the client asks its KernelManager whether the kernel is alive), no
# control channel (interrupts are signals or the KernelManager's own control socket)
_CHANNELS = {"stdin": False, "hb": False, "control": False}


async def _wait_ready(
    km: AsyncKernelManager, kc: Any, timeout: float, announced: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Connect once the kernel has bound its IPC sockets, then handshake over shell and iopub;
    returns the kernel's ``kernel_info`` answer.

    Faster than ``wait_for_ready`` (which waits 0.2 s for IOPub per attempt): the socket files
    show when the kernel is listening, and IOPub is probed with short retries. A kernel whose
    answer its fork server ``announced`` greets each IOPub subscriber (``iopub_welcome``): the
    greeting shows IOPub connected (the shell socket keeps what is sent until it connects), so
    no ``kernel_info`` request is sent to it.
    """
    deadline = time.monotonic() + timeout
    info: dict[str, Any] = dict(km.get_connection_info())
    sockets = [Path(f"{info['ip']}-{info[port]}") for port in _PORTS]
    while not all(path.exists() for path in sockets):
        if not await km.is_alive():
            raise ExecutionError("the kernel exited while starting")
        if time.monotonic() > deadline:
            raise ExecutionError(f"the kernel did not start within {timeout:g}s")
        await asyncio.sleep(0.005)
    kc.start_channels(**_CHANNELS)
    while announced is not None:
        try:
            greeting = await kc.iopub_channel.get_msg(timeout=0.5)
        except Empty:
            await _still_starting(km, deadline, timeout)
            continue
        if greeting.get("msg_type") == "iopub_welcome":
            return dict(announced)
    while True:
        msg_id = kc.kernel_info()
        try:
            while True:
                reply = await kc.shell_channel.get_msg(timeout=0.5)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            await kc.iopub_channel.get_msg(timeout=0.05)
            return dict(reply.get("content") or {})
        except Empty:
            await _still_starting(km, deadline, timeout)


async def _still_starting(km: AsyncKernelManager, deadline: float, timeout: float) -> None:
    """Raise if the kernel, silent so far, died or ran out of time to answer."""
    if not await km.is_alive():
        raise ExecutionError("the kernel died before answering") from None
    if time.monotonic() > deadline:
        raise ExecutionError(f"the kernel did not answer within {timeout:g}s") from None


def _python_spec(python: str) -> KernelSpec:
    argv = [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return KernelSpec(argv=argv, display_name="Python 3", language="python")


@dataclass
class KernelStarter:
    """Starts kernels; owns the fork servers (one per interpreter) and closes them at the end."""

    startup_timeout: float = 60.0
    fork: bool = True
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="eynb-", dir="/tmp")))
    _servers: dict[str, ForkServer | None] = field(default_factory=dict)
    _server_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _count: int = 0
    _live: list[StartedKernel] = field(default_factory=list)
    _context: Any = None  # one zmq context (one IO thread) shared by every kernel's sockets

    async def _server(self, python: str) -> ForkServer | None:
        lock = self._server_locks.setdefault(python, asyncio.Lock())
        async with lock:
            if python not in self._servers:
                server = ForkServer(python, self.root)
                try:
                    await server.start()
                except (ExecutionError, OSError):
                    self._servers[python] = None  # spawn kernels the ordinary way instead
                else:
                    self._servers[python] = server
            return self._servers[python]

    async def start(
        self, choice: KernelChoice, cwd: Path, env: dict[str, str] | None = None
    ) -> StartedKernel:
        """Start a kernel in ``cwd``; raises ExecutionError after START_ATTEMPTS failures."""
        errors: list[str] = []
        for _ in range(START_ATTEMPTS):
            try:
                return await self._start_once(choice, cwd, env or {})
            except NoSuchKernel:
                from jupyter_client.kernelspec import find_kernel_specs

                names = ", ".join(sorted(find_kernel_specs())) or "none"
                raise ExecutionError(
                    f"no Jupyter kernel named '{choice.spec}' is installed (installed: {names})"
                ) from None
            except ExecutionError as exc:
                errors.append(str(exc))
                if "cannot start an IPython kernel" in str(exc):
                    break
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
        raise ExecutionError(f"kernel {choice.label} failed to start: {errors[-1]}")

    async def _start_once(
        self, choice: KernelChoice, cwd: Path, env: dict[str, str]
    ) -> StartedKernel:
        self._count += 1
        directory = self.root / f"k{self._count}"
        directory.mkdir()
        if self._context is None:
            self._context = zmq.asyncio.Context()
        km = AsyncKernelManager(
            context=self._context,
            transport="ipc",
            ip=str(directory / "s"),
            connection_file=str(directory / "kernel.json"),
        )
        log = str(directory / "kernel.log")
        fill = {
            "connection_file": str(directory / "kernel.json"),
            "kernel_dir": str(directory),
            "cwd": str(cwd),
            "name": f"envyard-nb-{directory.parent.name}-{directory.name}",
        }
        cleanup = [part.format(**fill) for part in choice.cleanup]
        if choice.argv:
            argv = [part.format(**fill) for part in choice.argv]
            km._kernel_spec = KernelSpec(argv=argv, display_name=choice.label, language="python")
        elif choice.python is not None:
            km._kernel_spec = _python_spec(choice.python)
            forked = choice.fork and self.fork
            server = await self._server(choice.python) if forked else None
            if server is not None:
                provisioner = ForkProvisioner(
                    kernel_id=km.kernel_id or "forked", kernel_spec=km.kernel_spec, parent=km
                )
                provisioner.server = server
                provisioner.log_file = log
                km.provisioner = provisioner
        else:
            km.kernel_name = choice.spec or "python3"
            if km.kernel_spec is not None and km.kernel_spec.language.lower() != "python":
                # other kernels (IRkernel, IJulia...) may not speak ipc: TCP, ports from
                # jupyter_client's per-process cache (no two of our kernels share one)
                km.transport, km.ip, km.cache_ports = "tcp", "127.0.0.1", True
        kc: Any = None
        info: dict[str, Any] = {}
        try:
            with Path(log).open("ab") as log_stream:  # used by spawned (not forked) kernels
                await km.start_kernel(cwd=str(cwd), env=env, stdout=log_stream, stderr=log_stream)
            kc = km.client(context=self._context)  # else one context (an IO thread) each
            if km.transport == "ipc":
                announced = getattr(km.provisioner, "announced", None)
                info = await _wait_ready(km, kc, self.startup_timeout, announced)
            else:
                kc.start_channels(**_CHANNELS)
                await kc.wait_for_ready(timeout=self.startup_timeout)
        except BaseException as exc:
            started = StartedKernel(km, kc, directory, choice, cleanup=cleanup)
            tail = started.log_tail(5)
            await started.stop()
            if isinstance(exc, NoSuchKernel | asyncio.CancelledError | KeyboardInterrupt):
                raise
            raise ExecutionError(f"{exc}{' | ' + tail if tail else ''}") from exc
        kc.allow_stdin = False
        kernel = StartedKernel(km, kc, directory, choice, cleanup=cleanup, info=info)
        self._live = [k for k in self._live if not k.stopped]
        self._live.append(kernel)
        return kernel

    def live(self) -> list[StartedKernel]:
        """Kernels started and not stopped yet."""
        return [k for k in self._live if not k.stopped]

    async def close(self) -> None:
        """Kill every kernel still running, then the fork servers."""
        for kernel in self._live:
            await kernel.stop()  # no-op for kernels already stopped
        self._live.clear()
        for server in self._servers.values():
            if server is not None:
                await server.close()
        self._servers.clear()
        if self._context is not None:
            self._context.destroy(linger=0)
            self._context = None
        shutil.rmtree(self.root, ignore_errors=True)
