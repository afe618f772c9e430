"""Run one function over chunks of work in forked processes; results come back in order.

Checking thousands of assets is file reading and pure-Python parsing, one core's worth of
work per asset: a second core halves it. ``fork`` (not a ``multiprocessing`` pool) because
the parent has already imported everything, so a child is ready in about a millisecond and
shares the parent's memory; each result comes back pickled through a pipe. The parent works
on the first chunk meanwhile. Forking is skipped where it is unsafe or useless: no ``fork``
(Windows), other threads running (a library caller, a server), one usable core. A child that
fails for any reason is not trusted: its chunk is run again in the parent, so errors (and
bugs) surface exactly as without children.
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


def usable_cpus() -> int:
    """Cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


def chunks_of(items: Sequence[T], *, min_size: int, max_chunks: int) -> list[list[T]]:
    """``items`` cut into at most ``max_chunks`` contiguous runs of at least ``min_size``."""
    count = max(1, min(max_chunks, len(items) // max(1, min_size)))
    size, extra = divmod(len(items), count)
    out: list[list[T]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


def dealt(
    items: Sequence[T], *, min_size: int, max_chunks: int, first_weight: float = 1.0
) -> list[list[T]]:
    """``items`` dealt out in turn to as many chunks as :func:`chunks_of` makes (item ``i`` to
    chunk ``i % count``): alike neighbours are spread, so the chunks take alike time.

    ``first_weight`` makes the first chunk's share that many times another's (the turns skip
    it, or come back to it, now and then): the parent works on it, and a forked child pays for
    its copied memory pages."""
    count = len(chunks_of(items, min_size=min_size, max_chunks=max_chunks))
    out: list[list[T]] = [[] for _ in range(count)]
    weights = [first_weight] + [1.0] * (count - 1)
    for item in items:
        turn = min(range(count), key=lambda c: (len(out[c]) + 1) / weights[c])
        out[turn].append(item)
    return out


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
    except Exception:  # a child that died mid-write: its chunk is redone
        return _FAILED


def _child(fn: Callable[[T], R], chunk: T, write: int) -> None:  # pragma: no cover - forked
    code = 1
    try:
        data = _dumps(fn(chunk))
        with os.fdopen(write, "wb") as out:
            out.write(data)
        code = 0
    except BaseException:  # noqa: S110 - the parent re-runs the chunk and reports
        pass
    finally:
        os._exit(code)


def map_chunks(fn: Callable[[T], R], chunks: Sequence[T]) -> list[R]:
    """``[fn(c) for c in chunks]``, the chunks after the first in forked children."""
    if len(chunks) < 2 or not can_fork():
        return [fn(chunk) for chunk in chunks]
    children: list[tuple[int, int]] = []
    try:
        for chunk in chunks[1:]:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                os.close(read)
                _child(fn, chunk, write)
            os.close(write)
            children.append((pid, read))
        results = [fn(chunks[0])]
        for (pid, read), chunk in zip(children, chunks[1:], strict=True):
            with os.fdopen(read, "rb") as handle:
                data = handle.read()
            result = _loads(data)  # while the child's exit unmaps its memory
            _pid, status = os.waitpid(pid, 0)
            children = [c for c in children if c[0] != pid]
            ok = os.waitstatus_to_exitcode(status) == 0 and result is not _FAILED
            results.append(result if ok else fn(chunk))
        return results
    finally:
        for pid, read in children:  # only after an exception: let the children go
            os.close(read)
            os.waitpid(pid, 0)
