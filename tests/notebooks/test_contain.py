"""Issue 18 item 5: what a notebook starts never outlives the run, also a child started in a new
session (``start_new_session=True``), also when the runner is killed with ``kill -9`` (then
the fork server, or the next run, cleans up)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from tests.notebooks.helpers import kernel_processes, write_notebook

from envyard.notebooks import contain
from envyard.notebooks.session import SessionRequest, run_session

pytestmark = pytest.mark.slow

NEW_SESSION_CHILD = (
    "import subprocess\n"
    "child = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
    "open({pidfile!r}, 'w').write(str(child.pid))"
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pids: list[int], seconds: float = 5) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.mark.parametrize("fork", [True, False])
def test_a_new_session_child_does_not_outlive_the_run(tmp_path: Path, fork: bool) -> None:
    pidfile = tmp_path / "child.pid"
    write_notebook(tmp_path / "nbs" / "spawn.ipynb", NEW_SESSION_CHILD.format(pidfile=str(pidfile)))
    report = run_session(SessionRequest([tmp_path / "nbs"], fork=fork))
    assert report.results[0].status == "passed", report.results[0].message
    child = int(pidfile.read_text())
    assert _wait_gone([child]) == []


@pytest.mark.parametrize("fork", [True, False])
def test_kill_9_of_the_runner_leaves_nothing_after_the_next_run(
    tmp_path: Path, fork: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = secrets.token_hex(8)
    temp = tmp_path / "tmp"  # the runners' temporary directory: their work folders go there
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    pidfile = tmp_path / "child.pid"
    write_notebook(
        tmp_path / "nbs" / "spawn.ipynb",
        NEW_SESSION_CHILD.format(pidfile=str(pidfile)),
        "import time\ntime.sleep(300)",
    )
    command = [sys.executable, "-m", "envyard", "nb", "test", "nbs", "-q"]
    env = {**os.environ, "EY_NB_KILL9": marker, "TMPDIR": str(temp)}
    runner = subprocess.Popen(
        [*command, *([] if fork else ["--no-fork"])],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not pidfile.exists() or not pidfile.read_text():
        assert runner.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pidfile.read_text())
    left_behind = [p for p in kernel_processes(marker) if p != runner.pid]
    assert child in left_behind
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    (killed_folder,) = temp.glob("envyard-nb-*")  # the killed runner's work folder
    unmarked = temp / "envyard-nb-older"  # not a run's (no mark): never removed
    unmarked.mkdir()
    # the next run (of anything) sweeps what the killed runner's kernels started, and its folder
    write_notebook(tmp_path / "other" / "ok.ipynb", "1 + 1")
    assert run_session(SessionRequest([tmp_path / "other"])).results[0].status == "passed"
    assert _wait_gone([child, *left_behind]) == []
    assert not killed_folder.exists()
    assert sorted(temp.iterdir()) == [unmarked]  # the run's own folder is gone too


def test_the_sweep_spares_live_runs_and_unmarked_processes() -> None:
    bystander = subprocess.Popen(["sleep", "60"], start_new_session=True)
    live = subprocess.Popen(["sleep", "60"], env={**os.environ, contain.MARK: contain.run_mark()})
    try:
        contain.sweep_stale()  # this process (the mark's runner) is alive
        assert _alive(bystander.pid) and _alive(live.pid)
        assert contain.sweep(contain.run_mark()) == 1
        assert live.wait(timeout=5) == -signal.SIGKILL
        assert _alive(bystander.pid)
    finally:
        for proc in (bystander, live):
            proc.kill()
            proc.wait()
