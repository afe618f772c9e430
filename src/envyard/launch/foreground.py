"""Run the user's command in the foreground: its exit code is ours, signals reach it.

Ctrl-C is delivered by the terminal to the whole process group, so the command already has
it: Envyard waits for the command to finish its own shutdown instead of killing it.
SIGTERM/SIGHUP sent to Envyard are forwarded. A command killed by signal N exits 128+N,
like a shell reports it.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["run_foreground"]

_FORWARDED = (signal.SIGTERM, signal.SIGHUP)


def run_foreground(argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Start *argv*, wait for it, return its exit code (128+N when killed by signal N)."""
    proc = subprocess.Popen(list(argv), env=dict(env), cwd=cwd)
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def forward(signum: int, _frame: FrameType | None) -> None:
            proc.send_signal(signum)

        for sig in _FORWARDED:
            previous[sig] = signal.signal(sig, forward)
    try:
        while True:
            try:
                code = proc.wait()
                break
            except KeyboardInterrupt:
                continue  # the command got the same SIGINT; let it finish its shutdown
    finally:
        for restored, handler in previous.items():
            signal.signal(restored, handler)
    return 128 - code if code < 0 else code
