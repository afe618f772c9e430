"""Start the kernel fork server first thing, so its imports overlap the runner's own.

The entry point (:mod:`envyard.__main__`) calls :func:`prestart` for an ``envyard nb test``
command line that forks kernels here (:func:`forks_here`) before click and the CLI are imported,
and ``nb test`` itself before it imports the notebook machinery (a no-op when started): the fork
server (:mod:`envyard.notebooks.forkserver`, ~0.4 s of IPython imports) starts on the other CPU
while this process imports, discovers and plans. :class:`~envyard.notebooks.provisioner.ForkServer`
then :func:`take` s it instead of starting one. One not taken (no notebook needed it) is stopped
by :func:`discard` (also at exit); standard library only, to stay cheap to import.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("forkserver.py")
# Run the file as __main__ with sys.path[0] == "" (as -c does), keeping `ps` output short.
LOADER = "import sys; exec(compile(open(sys.argv[1]).read(), sys.argv[1], 'exec'))"
LOG = "forkserver.log"

_EARLY: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}


def command(python: str) -> list[str]:
    return [python, "-c", LOADER, str(SOURCE)]


def environment() -> dict[str, str]:
    """The server's environment: as a spawned kernel would get it (requests add their own)."""
    env = dict(os.environ)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's import-time warning
    return env


def forks_here(argv: list[str]) -> bool:
    """Whether the command line *argv* (without the program) is ``nb test`` with kernels
    forked on this machine: ``--no-fork``, a ``--backend`` other than ``local`` or an
    ``--environment`` say no (as ``nb test`` decides; anything unclear says no too, and the
    command then starts its server itself). The entry point asks before click is imported."""
    if argv[:2] != ["nb", "test"]:
        return False
    rest = argv[2:]
    for i, arg in enumerate(rest):
        if arg == "--":
            break
        name, eq, value = arg.partition("=")
        if name == "--backend":
            value = value if eq else (rest[i + 1] if i + 1 < len(rest) else "")
            if value != "local":
                return False
        elif arg in ("--no-fork", "--help") or name == "--environment" or arg.startswith("-e"):
            return False
    return True


def prestart(python: str) -> None:
    """Start a fork server for ``python`` now (at most one waiting per interpreter)."""
    if python in _EARLY:
        return
    workdir = Path(tempfile.mkdtemp(prefix="eynb-fs-", dir="/tmp"))
    try:
        with (workdir / LOG).open("wb") as log:
            proc = subprocess.Popen(
                command(python),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=workdir,
                env=environment(),
                start_new_session=True,
            )
    except OSError:  # the runner starts one the ordinary way (and reports the error)
        shutil.rmtree(workdir, ignore_errors=True)
        return
    _EARLY[python] = (proc, workdir)


def take(python: str) -> tuple[subprocess.Popen[bytes], Path] | None:
    """The server started early for ``python`` (and its folder), now the caller's to close."""
    return _EARLY.pop(python, None)


@atexit.register
def discard() -> None:
    """Stop the servers nobody took: killed at once (one has forked no kernel; waiting for it
    to finish its imports would hold up the exit of, say, a command line click refuses)."""
    while _EARLY:
        _, (proc, workdir) = _EARLY.popitem()
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        shutil.rmtree(workdir, ignore_errors=True)
