"""Run one function over batches of work in forked processes that share out the batches.

Checking thousands of assets is file reading and pure-Python parsing, one core's worth of
work per asset: a second core halves it. ``fork`` (not a ``multiprocessing`` pool) because
the parent has already imported everything, so a child is ready in about a millisecond and
shares the parent's memory; each child's results come back pickled through a pipe. The
batches are numbered in a pipe that every process reads its next turn from: a process that
runs slower (a busy core, a child paying for the memory pages it copies) simply takes fewer,
so all finish together. The parent takes turns too. Forking is skipped where it is unsafe or
useless: no ``fork`` (Windows), other threads running (a library caller, a server), one usable
core. A child that fails for any reason is not trusted: its batches are run again in the
parent, so errors (and bugs) surface exactly as without children.
"""

from __future__ import annotations

import copyreg
import io
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from pathlib import PosixPath, PurePosixPath
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCHES = 1024
"""Turn numbers (4 bytes each) fit in any pipe's buffer (4 KiB, PIPE_BUF) before forking."""


def usable_cpus() -> int:
    """Cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def _dumps(value: object) -> bytes:
    """Pickled, paths as plain strings: unpickling rebuilds a path from one string, not from
    each of its parts (a third of the parent's unpickling time with thousands of paths)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **_PATHS}
    pickler.dump(value)
    return buffer.getvalue()


_PATHS: dict[type, Callable[[Any], tuple[Any, tuple[str]]]] = {
    PurePosixPath: lambda p: (PurePosixPath, (str(p),)),
    PosixPath: lambda p: (PosixPath, (str(p),)),
}


_FAILED = object()


def _loads(data: bytes) -> Any:
    """A child's result, or ``_FAILED`` when it sent nothing or a cut-off pickle."""
    try:
        return pickle.loads(data) if data else _FAILED  # noqa: S301 - our own child and pipe
    except Exception:  # a child that died mid-write: its batches are redone
        return _FAILED


def _child(fn: Callable[[], R], write: int) -> None:  # pragma: no cover - forked
    code = 1
    try:
        data = _dumps(fn())
        with os.fdopen(write, "wb") as out:
            out.write(data)
        code = 0
    except BaseException:  # noqa: S110 - the parent re-runs the batches and reports
        pass
    finally:
        os._exit(code)


def batches_of(items: Sequence[T], *, size: int) -> list[list[T]]:
    """``items`` in runs of ``size`` (more when there would be over ``MAX_BATCHES``), in order."""
    size = max(size, -(-len(items) // MAX_BATCHES), 1)
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


def _take_turns(fn: Callable[[T], R], batches: Sequence[T], turns: int) -> list[tuple[int, R]]:
    """Run the batches whose numbers this process reads from the ``turns`` pipe, until empty."""
    out: list[tuple[int, R]] = []
    while len(turn := os.read(turns, 4)) == 4:
        index = int.from_bytes(turn, "big")
        out.append((index, fn(batches[index])))
    return out


def map_shared(fn: Callable[[T], R], batches: Sequence[T], *, processes: int) -> list[R]:
    """``[fn(b) for b in batches]`` over ``processes`` processes (this one and forked
    children), each taking the next batch when free; results in the batches' order."""
    if processes < 2 or len(batches) < 2 or len(batches) > MAX_BATCHES or not can_fork():
        return [fn(batch) for batch in batches]
    turns, numbers = os.pipe()
    children: list[tuple[int, int]] = []
    try:
        data = b"".join(index.to_bytes(4, "big") for index in range(len(batches)))
        while data:  # all fit in the pipe's buffer: written before anyone reads
            data = data[os.write(numbers, data) :]
        os.close(numbers)
        numbers = -1
        for _ in range(min(processes, len(batches)) - 1):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                os.close(read)
                _child(lambda: _take_turns(fn, batches, turns), write)
            os.close(write)
            children.append((pid, read))
        done = dict(_take_turns(fn, batches, turns))
        while children:
            pid, read = children[0]
            with os.fdopen(read, "rb") as handle:
                result = _loads(handle.read())  # while the child's exit unmaps its memory
            _pid, status = os.waitpid(pid, 0)
            children.pop(0)
            if os.waitstatus_to_exitcode(status) == 0 and result is not _FAILED:
                done.update(result)
        return [done[i] if i in done else fn(batch) for i, batch in enumerate(batches)]
    finally:
        os.close(turns)
        if numbers >= 0:
            os.close(numbers)
        for pid, read in children:  # only after an exception: let the children go
            os.close(read)
            os.waitpid(pid, 0)
