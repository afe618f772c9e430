"""Start the kernel fork server first thing, so its imports overlap the runner's own.

``envyard nb test`` calls :func:`prestart` before it imports the notebook machinery: the fork
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
    """Stop the servers nobody took (closing stdin makes one exit; killed if it lingers)."""
    while _EARLY:
        _, (proc, workdir) = _EARLY.popitem()
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        shutil.rmtree(workdir, ignore_errors=True)
