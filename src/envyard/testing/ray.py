"""A real local Ray head for tests: ``ray start --head --block`` on loopback, free ports.

Load with ``pytest_plugins = ["envyard.testing.ray"]``; the session fixture ``ray_head`` gives
a :class:`RayHead` with ``.address`` (the dashboard / Jobs API URL) and ``.env`` (the
variables a client should use). Everything listens on 127.0.0.1 (``RAY_ENABLE_WINDOWS_OR_OSX_
CLUSTER=0``), usage stats are off and auth is explicit (``RAY_AUTH_MODE=disabled``: loopback
only). The head runs in its own session; stopping it signals that process group and then
every process left in the session (Ray workers make their own groups) — never ``ray stop``,
which would stop every Ray on the machine.

Ray is slow to start on small machines: share one head per test session (per xdist worker).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import ServerStartError, log_tail

__all__ = ["RAY_ENV", "RayHead", "ray_head"]

RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    "RAY_AUTH_MODE": "disabled",
}
_PORT_FLAGS = (
    "--port",
    "--dashboard-port",
    "--ray-client-server-port",
    "--node-manager-port",
    "--object-manager-port",
    "--dashboard-agent-listen-port",
    "--dashboard-agent-grpc-port",
    "--metrics-export-port",
    "--runtime-env-agent-port",
)


def _session_pids(sid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
    return pids


@dataclass
class RayHead:
    address: str
    temp_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def env(self) -> dict[str, str]:
        return {**RAY_ENV, "RAY_ADDRESS": self.address}

    @classmethod
    def start(cls, *, num_cpus: int = 2, timeout: float = 120) -> RayHead:
        import httpx

        ray = shutil.which("ray")
        if ray is None:
            raise ServerStartError("the `ray` command is missing: pip install 'ray[default]'")
        temp_dir = Path(tempfile.mkdtemp(prefix="ey-ray-", dir="/tmp"))  # short: unix sockets
        ports = {flag: free_port() for flag in _PORT_FLAGS}
        worker = free_port()
        argv = [ray, "start", "--head", "--block", "--node-ip-address", LOCALHOST]
        argv += ["--dashboard-host", LOCALHOST, "--include-dashboard", "true"]
        argv += ["--num-cpus", str(num_cpus), "--temp-dir", str(temp_dir), "--disable-usage-stats"]
        argv += ["--object-store-memory", str(200 * 1024 * 1024)]  # small: tests move no data
        argv += ["--min-worker-port", str(worker), "--max-worker-port", str(worker + 40)]
        for flag, port in ports.items():
            argv += [flag, str(port)]
        log = temp_dir / "ray-start.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                env={**os.environ, **RAY_ENV},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        head = cls(f"http://{LOCALHOST}:{ports['--dashboard-port']}", temp_dir, process, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                head.stop()
                raise ServerStartError(
                    f"ray start exited with {process.returncode}:\n{log_tail(log)}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{head.address}/api/version", timeout=2).status_code == 200:
                    return head
            time.sleep(0.5)
        head.stop()
        raise ServerStartError(f"Ray was not ready after {timeout}s:\n{log_tail(log)}")

    def stop(self) -> None:
        sid = self.process.pid
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            for pid in _session_pids(sid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + wait
            while _session_pids(sid) and time.monotonic() < deadline:
                self.process.poll()
                time.sleep(0.2)
            if not _session_pids(sid):
                break
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def ray_head() -> Iterator[RayHead]:
    """A Ray head shared by the session's tests (each xdist worker has its own).

    Started up to three times: a port picked free can be taken by another server (another
    worker's head) before Ray binds it.
    """
    for attempt in range(3):
        try:
            head = RayHead.start()
            break
        except ServerStartError:
            if attempt == 2:
                raise
    try:
        yield head
    finally:
        head.stop()
