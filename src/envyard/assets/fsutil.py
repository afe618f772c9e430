# ruff: noqa: PTH109, PTH117 - os.path on strings: thousands of files, no Path objects
"""Small file helpers: paths as users see them and content hashing (atomic writes:
:mod:`envyard.atomicfile`)."""

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
