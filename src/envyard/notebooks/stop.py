"""Ctrl-C for notebook runs: the first SIGINT stops, the second kills.

The first SIGINT asks every live :class:`~envyard.notebooks.runner.Runner` to stop: no new
notebook starts, running cells are interrupted (the kernel's SIGINT; a kernel that does not
stop within :data:`INTERRUPT_GRACE` seconds is killed), kernels started ahead are killed, and
the run reports what ran and what was not run (exit 130). A second SIGINT kills every kernel
and fork server at once and exits 130 without waiting for anything.

One :data:`STOP` per process; :func:`interruptible` installs the handler on the running loop
(main thread only: the pytest plugin's loop lives in a thread and is stopped by pytest's own
``KeyboardInterrupt`` instead, see :mod:`envyard.notebooks.pytest_items`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable
from typing import Protocol, TypeVar

INTERRUPT_GRACE = 0.7  # seconds a running cell gets to stop after the kernel's SIGINT
T = TypeVar("T")


class Stoppable(Protocol):
    def interrupt(self) -> None: ...

    def kill_now(self) -> None: ...


class StopControl:
    def __init__(self) -> None:
        self.requested = 0  # SIGINTs seen in this session
        self.runners: set[Stoppable] = set()

    def reset(self) -> None:
        self.requested = 0

    def first(self) -> None:
        self.requested = max(self.requested, 1)
        for runner in list(self.runners):
            runner.interrupt()

    def second(self) -> None:
        self.requested = 2
        for runner in list(self.runners):
            with contextlib.suppress(Exception):
                runner.kill_now()
        with contextlib.suppress(OSError):
            os.write(2, b"\ninterrupted twice: kernels killed\n")
        os._exit(130)

    def on_sigint(self) -> None:
        if self.requested:
            self.second()
        else:
            with contextlib.suppress(OSError):
                os.write(2, b"\ninterrupted: stopping (Ctrl-C again to kill at once)\n")
            self.first()


STOP = StopControl()


async def interruptible(work: Awaitable[T]) -> T:
    """Await ``work`` with Ctrl-C handled as this module describes (when in the main thread)."""
    loop = asyncio.get_running_loop()
    STOP.reset()
    installed = False
    if sys.platform != "win32":
        try:
            loop.add_signal_handler(signal.SIGINT, STOP.on_sigint)
            installed = True
        except (ValueError, RuntimeError):  # not the main thread
            installed = False
    try:
        return await work
    finally:
        if installed:
            loop.remove_signal_handler(signal.SIGINT)
