# ruff: noqa: PTH109, PTH117 - os.path on strings: thousands of files, no Path objects
"""Small file helpers: atomic writes (temp file + ``os.replace``) and content hashing."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def shown(path: Path) -> str:
    """``path`` as users see it: relative to the working directory when inside it.

    Same result as ``envyard.spec.source.display_path`` for absolute, resolved paths, without
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


def atomic_write(path: Path, text: str | bytes) -> None:
    """Write ``path`` so readers see the old or the new content, never a half-written file."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if path.exists():
            Path(tmp).chmod(path.stat().st_mode & 0o777)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def content_hash(files: Iterable[tuple[str, Path]]) -> str:
    """``sha256:`` over (name, bytes) pairs in name order: the identity of an asset's sources."""
    import hashlib  # OpenSSL's start-up: only commands that hash pay for it

    outer = hashlib.sha256()
    for name, path in sorted(files):
        outer.update(name.encode("utf-8") + b"\0")
        outer.update(hashlib.sha256(path.read_bytes()).digest())
        outer.update(b"\1" if os.access(path, os.X_OK) else b"\0")
    return "sha256:" + outer.hexdigest()
