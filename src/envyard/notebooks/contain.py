"""Contain what notebooks start: nothing a run's kernels started outlives the run.

Every kernel of a run gets ``ENVYARD_NB_RUN=<runner pid>.<runner start time>`` in its
environment, which every process it starts inherits, also one started in a new session
(``start_new_session=True``, a double-forked daemon) that leaves the kernel's process group.

* :func:`sweep` at the end of a run SIGKILLs the processes carrying the run's mark (whatever
  the run's end: passed, failed, Ctrl-C, a second Ctrl-C);
* :func:`sweep_stale` at the start of every run SIGKILLs the processes whose mark names a runner
  that no longer exists (a runner killed with ``kill -9``), and removes such a runner's work
  folder (:func:`workroot` writes the mark into it): the next run cleans up;
* the fork server is also a child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``): orphans of its
  kernels are re-parented to it instead of to init, and it kills them when it exits (a process
  that clears its environment is still caught that way).

Linux only (``/proc``); elsewhere these are no-ops. Only processes of this user are readable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

MARK = "ENVYARD_NB_RUN"
_PROC = Path("/proc")
_WORKROOT = "envyard-nb-"  # the prefix of a run's work folder in the temporary directory
_OWNER = ".envyard-run"  # the file in it that holds the run's mark


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def run_mark(pid: int | None = None) -> str:
    """This runner's mark: its pid and start time (a reused pid does not match)."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}.{_start_time(pid) or 0}"


def _alive(mark: str) -> bool:
    pid, _, started = mark.partition(".")
    if not pid.isdigit():
        return False
    return _start_time(int(pid)) == started


def marked() -> dict[int, str]:
    """Every readable process carrying a mark, with the mark (not this process)."""
    found: dict[int, str] = {}
    if not _PROC.is_dir():
        return found
    needle = MARK.encode() + b"="
    me = os.getpid()
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # another user's process, or gone
            continue
        for item in environ.split(b"\0"):
            if item.startswith(needle):
                found[int(entry.name)] = item[len(needle) :].decode("ascii", "replace")
                break
    return found


def _kill(pids: list[int]) -> int:
    killed = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed


def sweep(mark: str) -> int:
    """SIGKILL every process carrying ``mark``; returns how many."""
    return _kill([pid for pid, value in marked().items() if value == mark])


def workroot(mark: str) -> Path:
    """A new work folder for the run with ``mark``, which says whose it is (see
    :func:`sweep_stale`)."""
    root = Path(tempfile.mkdtemp(prefix=_WORKROOT))
    (root / _OWNER).write_text(mark, encoding="ascii")
    return root


def _stale_workroots() -> list[Path]:
    """Work folders of this user whose runner is gone (folders without a mark are kept)."""
    stale = []
    with contextlib.suppress(OSError):
        for entry in Path(tempfile.gettempdir()).iterdir():
            if not entry.name.startswith(_WORKROOT):
                continue
            try:
                mark = (entry / _OWNER).read_text(encoding="ascii")
                mine = entry.stat().st_uid == os.getuid()
            except (OSError, UnicodeDecodeError):
                continue
            if mine and not _alive(mark):
                stale.append(entry)
    return stale


def sweep_stale() -> int:
    """SIGKILL the processes of runs whose runner is gone (killed with ``kill -9``), and remove
    those runners' work folders; returns how many processes were killed."""
    stale: dict[str, bool] = {}
    pids = []
    for pid, value in marked().items():
        if value not in stale:
            stale[value] = not _alive(value)
        if stale[value]:
            pids.append(pid)
    killed = _kill(pids)
    for folder in _stale_workroots():
        shutil.rmtree(folder, ignore_errors=True)
    return killed
