"""Start, wait for and stop the server processes that the test fixtures run.

A :class:`ServerProcess` is a child started in its own session (so its whole process group can
be signalled) with stdout and stderr going to a log file. Readiness is polled with a deadline
(:func:`wait_for_port`, :func:`wait_for_http`); when a server dies or never becomes ready, the
:class:`ServerStartError` message ends with the tail of its log. :meth:`ServerProcess.stop`
terminates the group, waits, then kills it.

Error tree::

    RuntimeError
     ├── ServerStartError              a server exited or was not ready before its deadline
     └── MissingSystemDependencyError  a system binary is absent; names the apt package
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "INSTALL_SCRIPT",
    "MissingSystemDependencyError",
    "ServerProcess",
    "ServerStartError",
    "log_tail",
    "require_executable",
    "start_process",
    "wait_for_http",
    "wait_for_port",
]

INSTALL_SCRIPT = "scripts/install-test-deps.sh"
DEFAULT_TIMEOUT = 30.0
_POLL_INTERVAL = 0.05


class ServerStartError(RuntimeError):
    """A test server exited early or did not become ready before its deadline."""


class MissingSystemDependencyError(RuntimeError):
    """A system binary a fixture needs is not installed."""


def require_executable(name: str, apt_package: str) -> str:
    """Return the absolute path of *name* (a command or an absolute path) or raise.

    The error names the Debian package to install and the script that installs everything.
    """
    found = shutil.which(name)
    if found is None:
        msg = (
            f"{name!r} not found: install the Debian package {apt_package!r} "
            f"(`apt-get install {apt_package}`), or run `bash {INSTALL_SCRIPT}` "
            "which installs every system package the test suite needs"
        )
        raise MissingSystemDependencyError(msg)
    return found


def log_tail(path: Path, lines: int = 40) -> str:
    """Return the last *lines* lines of the log at *path* (empty if it does not exist)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


@dataclass
class ServerProcess:
    """A running server: its :class:`subprocess.Popen`, a name for messages and its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    _stopped: bool = field(default=False, init=False, repr=False)

    @property
    def pid(self) -> int:
        """The process id (also the process group id: servers start in their own session)."""
        return self.popen.pid

    def alive(self) -> bool:
        """True while the process has not exited."""
        return self.popen.poll() is None

    def failure(self, reason: str) -> ServerStartError:
        """Build a :class:`ServerStartError` for *reason* that shows the tail of the log."""
        tail = log_tail(self.log_path) or "(log is empty)"
        return ServerStartError(
            f"{self.name} (pid {self.pid}) {reason}\n--- last lines of {self.log_path} ---\n{tail}"
        )

    def check_alive(self) -> None:
        """Raise :class:`ServerStartError` if the process has already exited."""
        code = self.popen.poll()
        if code is not None:
            raise self.failure(f"exited with code {code}")

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process group, wait up to *timeout* seconds, then kill it. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.popen.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        # Reap the leader and sweep any child left behind in the group.
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


def start_process(
    name: str,
    argv: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> ServerProcess:
    """Start *argv* in a new session with stdout and stderr appended to *log_path*.

    *user* runs the process as that account (the caller must be root); *env* replaces the
    environment when given.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            user=user,
            start_new_session=True,
        )
    return ServerProcess(name=name, popen=popen, log_path=log_path)


def wait_for_port(
    server: ServerProcess, host: str, port: int, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Poll until *host*:*port* accepts TCP connections; raise if the server dies or times out."""
    deadline = time.monotonic() + timeout
    while True:
        server.check_alive()
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1.0):
            return
        if time.monotonic() > deadline:
            raise server.failure(f"did not listen on {host}:{port} within {timeout:.0f}s")
        time.sleep(_POLL_INTERVAL)


def wait_for_http(
    server: ServerProcess,
    url: str,
    *,
    ok_statuses: Sequence[int] = (200,),
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Poll GET *url* until it answers with one of *ok_statuses*; raise on death or timeout."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            server.check_alive()
            try:
                response = client.get(url)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code in ok_statuses:
                    return
                last = f"HTTP {response.status_code}"
            if time.monotonic() > deadline:
                raise server.failure(f"was not ready at {url} within {timeout:.0f}s (last: {last})")
            time.sleep(_POLL_INTERVAL)
