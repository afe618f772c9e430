"""The entry point starts ``nb test``'s kernel fork server before the CLI is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.notebooks.helpers import kernel_processes, write_notebook

import envyard.__main__ as entry
from envyard.notebooks import early


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["nb", "test"], True),
        (["nb", "test", "notebooks", "-q", "--workers", "2"], True),
        (["nb", "test", "--backend", "local", "x"], True),
        (["nb", "test", "--backend=local"], True),
        (["nb", "test", "x", "--", "--no-fork"], True),  # after --: a path, not an option
        (["nb", "test", "--no-fork"], False),
        (["nb", "test", "--backend", "ray"], False),
        (["nb", "test", "--backend=podman"], False),
        (["nb", "test", "--backend"], False),  # click reports the missing value
        (["nb", "test", "-e", "team@1"], False),
        (["nb", "test", "-eteam"], False),
        (["nb", "test", "--environment=team"], False),
        (["nb", "test", "--help"], False),
        (["nb", "changed"], False),
        (["env", "list"], False),
        ([], False),
    ],
)
def test_which_command_lines_fork_here(argv: list[str], expected: bool) -> None:
    assert early.forks_here(argv) is expected


def test_the_server_starts_before_the_cli_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    order: list[str] = []
    monkeypatch.setattr(sys, "argv", ["envyard", "nb", "test", "notebooks", "-q"])
    monkeypatch.setattr(early, "prestart", lambda python: order.append(f"prestart {python}"))
    import envyard.cli.main

    monkeypatch.setattr(envyard.cli.main, "run", lambda: order.append("cli") or 4)
    monkeypatch.setattr(envyard.cli.main, "main", lambda: order.append("cli main"))

    def exit_now(code: int) -> None:
        order.append(f"exit now {code}")
        sys.exit(code)

    monkeypatch.setattr(entry, "_exit_now", exit_now)
    with pytest.raises(SystemExit):
        entry.main()
    assert order == [f"prestart {sys.executable}", "cli", "exit now 4"]

    order.clear()
    monkeypatch.setattr(sys, "argv", ["envyard", "nb", "test", "--no-fork"])
    with pytest.raises(SystemExit):
        entry.main()
    assert order == ["cli main"]  # the ordinary exit


@pytest.mark.parametrize("thread", [False, True])
def test_the_quick_exit_runs_atexit_and_flushes(thread: bool) -> None:
    """``nb test``'s exit skips the interpreter's teardown only: atexit functions run, buffered
    output is written, the code is kept; a thread still running is waited for, as usual."""
    code = "\n".join(
        [
            "import atexit, sys, threading, time",
            "import envyard.__main__ as entry",
            "atexit.register(lambda: print('atexit ran', flush=True))",
            "sys.stdout.write('buffered;')",
            "late = lambda: (time.sleep(0.2), sys.stdout.write('thread done;'))",
            f"if {thread}: threading.Thread(target=late).start()",
            "entry._exit_now(3)",
        ]
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 3, done.stderr
    expected = "buffered;thread done;atexit ran\n" if thread else "buffered;atexit ran\n"
    assert done.stdout == expected


@pytest.mark.slow
def test_a_run_and_a_refused_command_line_leave_no_server(tmp_path: Path) -> None:
    write_notebook(tmp_path / "nbs" / "one.ipynb", "print(1 + 1)")
    marker = f"early-start-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "ENVYARD_HOME": str(tmp_path / "home"), "EARLY_START_TEST": marker}
    command = [sys.executable, "-m", "envyard", "nb", "test", str(tmp_path / "nbs"), "-q"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "1 passed" in done.stderr
    assert kernel_processes(marker) == []

    refused = subprocess.run(
        [*command, "--no-such-option"], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2 and "No such option" in refused.stderr
    assert kernel_processes(marker) == []  # the server started early was stopped at exit
