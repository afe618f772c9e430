# ruff: noqa: PTH102, PTH103, PTH112, PTH116, PTH118 - os calls on strings: thousands of files, no Path objects
"""Low-level file access for staging thousands of small files: plain ``os`` calls on strings.

Staging a pipeline reads, checks and writes a few thousand small files; through ``pathlib``
every path is parsed again and every check (``exists``, ``is_dir``, ``resolve``) is its own
series of system calls, which cost more than reading and writing the files. These helpers do
one ``lstat`` per referenced path (none for files a folder listing showed), resolve symlinks
with a per-staging cache of resolved folders, and read and write with one
``open``/``read``/``write``/``close`` each.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_CHUNK = 65536
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def read_bytes(path: str, limit: int) -> bytes | None:
    """The file's bytes, or None when it is larger than ``limit`` (the caller reports that)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        data = os.read(fd, _CHUNK)
        if len(data) < _CHUNK:  # a short read of a regular file is its end
            return data
        parts = [data]
        total = len(data)
        while chunk := os.read(fd, _CHUNK):
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                return None
        return b"".join(parts)
    finally:
        os.close(fd)


def write_bytes(path: str, data: bytes, mode: int = 0o666) -> None:
    """Create or truncate ``path`` and write ``data`` (``mode`` is masked by the umask)."""
    fd = os.open(path, _WRITE_FLAGS, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def make_folder(path: str) -> None:
    """``os.makedirs(path, exist_ok=True)`` with one system call when the parent exists."""
    try:
        os.mkdir(path)
    except FileExistsError:
        if not os.path.isdir(path):
            raise
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or below it (both normalised absolute paths)."""
    if path == folder:
        return True
    return path.startswith(folder if folder.endswith("/") else folder + "/")


class Resolver:
    """``os.path.realpath`` with the resolved folders cached, plus what the path is.

    A path whose last component is not a symlink resolves to its folder's real path joined
    with its name, so one ``lstat`` per path is enough once its folder is known, and none for
    the entries a folder listing (:func:`walk_files`) already showed as no symlink.
    """

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}
        self._listed: dict[str, bool] = {}
        """Paths listed as no symlink -> whether each is a folder (from the listing's entry
        types, no ``stat``)."""

    def listed(self, path: str, *, is_dir: bool) -> None:
        """Record a folder listing's entry that is not a symlink."""
        self._listed[path] = is_dir

    def folder(self, path: str) -> str:
        """The real path of the folder ``path`` (one ``lstat`` once its parent is known)."""
        real = self._folders.get(path)
        if real is None:
            head, name = os.path.split(path)
            if not name or head == path:
                real = os.path.realpath(path)
            else:
                if self._listed.get(path):
                    link = False
                else:
                    try:
                        link = stat.S_ISLNK(os.lstat(path).st_mode)
                    except OSError:
                        link = True  # let realpath decide what a missing folder resolves to
                real = os.path.realpath(path) if link else os.path.join(self.folder(head), name)
            self._folders[path] = real
        return real

    def resolve(self, path: str) -> tuple[str, bool | None]:
        """(the real path, whether it is a folder following links, None when it does not
        exist)."""
        is_dir = self._listed.get(path)
        if is_dir is None:
            try:
                info = os.lstat(path)
            except OSError:
                return os.path.realpath(path), None
            if stat.S_ISLNK(info.st_mode):
                try:
                    return os.path.realpath(path), stat.S_ISDIR(os.stat(path).st_mode)
                except OSError:  # a dangling link
                    return os.path.realpath(path), None
            is_dir = stat.S_ISDIR(info.st_mode)
        head, name = os.path.split(path)
        return os.path.join(self.folder(head), name), is_dir


def walk_files(
    folder: str, suffixes: tuple[str, ...], resolver: Resolver | None = None
) -> list[str]:
    """Files under ``folder`` ending with ``suffixes``: each folder's files by name, then its
    sub-folders by name (hidden ones and symlinked ones skipped) — ``os.walk``'s order.

    ``resolver`` is told every entry seen that is not a symlink (it then needs no ``lstat``).
    """
    out: list[str] = []
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return out
    folders = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
            link = entry.is_symlink()
        except OSError:
            is_dir, link = False, True
        if resolver is not None and not link:
            resolver.listed(entry.path, is_dir=is_dir)
        if not is_dir:
            if entry.name.endswith(suffixes):
                out.append(entry.path)
        elif not entry.name.startswith(".") and not link:
            folders.append(entry.path)
    for sub in folders:
        out.extend(walk_files(sub, suffixes, resolver))
    return out


def lexical(path: Path) -> Path:
    """An absolute path with ``..`` folded but symlinks kept: a symlinked spec is staged at its
    own place (a pipeline looks for it there), read through the link."""
    return Path(os.path.normpath(path))
