"""One way to write a file atomically: ``write_atomic(path, text_or_bytes)``.

The content goes to a temporary file in the same folder, which then replaces ``path``
(``os.replace``): readers see the old file or the new one, never half of it. The new file gets
the mode a plain ``open(path, "w")`` would give it: an existing file keeps its mode, a new one
gets ``0o666`` less the umask (``mkstemp`` alone would leave it ``0o600``, which a CI artifact
uploader running as another user cannot read).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["current_umask", "write_atomic"]


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError), Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc: the classic read-by-setting (restored at once)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write ``data`` (text is UTF-8) to ``path`` atomically, creating its folder.

    ``mode`` defaults to the existing file's mode, else ``0o666 & ~umask``.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~current_umask()
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            os.fchmod(handle.fileno(), mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
