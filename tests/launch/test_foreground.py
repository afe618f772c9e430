"""The command runs in the foreground: exit codes, signal deaths, SIGTERM forwarding."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from envyard.launch.foreground import run_foreground


def test_exit_code_and_death_by_signal() -> None:
    env = dict(os.environ)
    assert run_foreground(["sh", "-c", "exit 5"], env) == 5
    assert run_foreground(["sh", "-c", "kill -TERM $$"], env) == 128 + signal.SIGTERM


_PARENT = """
import os, sys
from envyard.launch.foreground import run_foreground
code = run_foreground([sys.executable, "-c", sys.argv[1]], dict(os.environ))
print("child exit", code, flush=True)
"""

_CHILD = """
import signal, sys, time, pathlib
def bye(signum, frame):
    print("child got", signum, flush=True)
    sys.exit(3)
signal.signal(signal.SIGTERM, bye)
pathlib.Path("ready").write_text("1")
time.sleep(60)
"""


def test_sigterm_is_forwarded_and_the_command_shuts_down_itself(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _PARENT, _CHILD],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "ready").exists():
        assert time.monotonic() < deadline, "the child never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert f"child got {int(signal.SIGTERM)}" in out
    assert "child exit 3" in out
    assert proc.returncode == 0
