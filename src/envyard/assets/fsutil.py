# ruff: noqa: PTH109, PTH114, PTH117, PTH118, PTH120 - os.path on strings: thousands of files
"""Small file helpers: paths as users see them, where a path really is (symbolic links
resolved, folders once per run) and content hashing (atomic writes: :mod:`envyard.atomicfile`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


def shown(path: Path) -> str:
    """``path`` as users see it: relative to the working directory when inside it.

    Same result as ``envyard.yamlio.source.display_path`` for absolute, resolved paths, without
    resolving anything (discovery hands out resolved absolute paths): thousands of calls cost
    nothing.
    """
    text = str(path)
    if not os.path.isabs(text):
        return text
    cwd = os.getcwd()
    if text.startswith(cwd + os.sep):
        return text[len(cwd) + 1 :]
    return text


def content_hash(files: Iterable[tuple[str, Path]]) -> str:
    """``sha256:`` over (name, bytes) pairs in name order: the identity of an asset's sources."""
    import hashlib  # OpenSSL's start-up: only commands that hash pay for it

    outer = hashlib.sha256()
    for name, path in sorted(files):
        outer.update(name.encode("utf-8") + b"\0")
        outer.update(hashlib.sha256(path.read_bytes()).digest())
        outer.update(b"\1" if os.access(path, os.X_OK) else b"\0")
    return "sha256:" + outer.hexdigest()


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def real_path(path: str, cache: dict[str, str] | None = None) -> str:
    """``os.path.realpath(path)``; with ``cache`` (folder -> its real path, shared by the
    assets of one run), each folder is resolved once: one ``lstat`` per new folder, not one
    per component per path (thousands of assets name a few paths each)."""
    if cache is None:
        return os.path.realpath(path)
    names: list[str] = []
    head = path.rstrip(os.sep) or path  # ``code: ../src/``: as realpath, the trailing / goes
    while head not in cache:
        parent, name = os.path.split(head)
        if not name or parent == head:  # the root (or ''): as realpath has it
            cache[head] = os.path.realpath(head)
            break
        names.append(name)
        head = parent
    real = cache[head]
    for name in reversed(names):
        head = os.path.join(head, name)
        if name == "..":
            real = os.path.dirname(real)
        elif name != ".":
            joined = os.path.join(real, name)
            real = os.path.realpath(joined) if os.path.islink(joined) else joined
        cache[head] = real
    return real
