"""envyard.testing.process / ports: start, readiness deadlines, log tails, stop by group."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import pytest

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import (
    INSTALL_SCRIPT,
    MissingSystemDependencyError,
    ServerStartError,
    log_tail,
    require_executable,
    start_process,
    wait_for_http,
    wait_for_port,
)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); look at its state.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_free_port_is_bindable() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind((LOCALHOST, port))


def test_server_that_exits_reports_its_log_tail(tmp_path: Path) -> None:
    server = start_process(
        "failing", ["sh", "-c", "echo config is broken >&2; exit 3"], tmp_path / "failing.log"
    )
    try:
        with pytest.raises(ServerStartError) as excinfo:
            wait_for_port(server, LOCALHOST, free_port(), timeout=10)
    finally:
        server.stop()
    message = str(excinfo.value)
    assert "exited with code 3" in message
    assert "config is broken" in message
    assert str(tmp_path / "failing.log") in message


def test_server_that_never_listens_times_out(tmp_path: Path) -> None:
    server = start_process("sleeper", ["sh", "-c", "echo waiting; sleep 30"], tmp_path / "s.log")
    try:
        started = time.monotonic()
        with pytest.raises(ServerStartError, match=r"did not listen .* within 1s"):
            wait_for_port(server, LOCALHOST, free_port(), timeout=1)
        assert time.monotonic() - started < 10
    finally:
        server.stop()
    assert not server.alive()


def test_wait_for_http_and_stop_kill_the_process_group(tmp_path: Path) -> None:
    port = free_port()
    script = (
        "import http.server, subprocess, sys\n"
        "child = subprocess.Popen(['sleep', '300'])\n"
        "open(sys.argv[2], 'w').write(str(child.pid))\n"
        "http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])),"
        " http.server.SimpleHTTPRequestHandler).serve_forever()\n"
    )
    child_pid_file = tmp_path / "child.pid"
    server = start_process(
        "http",
        [sys.executable, "-c", script, str(port), str(child_pid_file)],
        tmp_path / "http.log",
        cwd=tmp_path,
    )
    try:
        wait_for_http(server, f"http://{LOCALHOST}:{port}/", timeout=20)
        child_pid = int(child_pid_file.read_text())
        assert _pid_alive(child_pid)
    finally:
        server.stop()
    assert not server.alive()
    deadline = time.monotonic() + 5
    while _pid_alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _pid_alive(child_pid), "a child in the server's process group survived stop()"
    server.stop()  # idempotent


def test_missing_binary_names_the_apt_package_and_script() -> None:
    with pytest.raises(MissingSystemDependencyError) as excinfo:
        require_executable("/usr/bin/envyard-no-such-binary", "envyard-fake-package")
    assert "envyard-fake-package" in str(excinfo.value)
    assert INSTALL_SCRIPT in str(excinfo.value)


def test_log_tail_of_missing_file_is_empty(tmp_path: Path) -> None:
    assert log_tail(tmp_path / "nothing.log") == ""
