"""What every rule sees besides its asset: the settings, all assets, the curated images, and
the files read and stat-ed once per run (:class:`RuleContext`)."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.model import Asset


@dataclass
class RuleContext:
    settings: AssetSettings
    assets: list[Asset]
    curated_images: set[str]
    _texts: dict[str, str | None] = field(default_factory=dict)
    _modes: dict[str, int | None] = field(default_factory=dict)
    """Both keyed by the path's string (a dict lookup by str, no Path hashing its parts)."""

    def is_file(self, path: Path) -> bool:
        """``path.is_file()``, asked once per run (several rules check the same files)."""
        mode = self._mode(path)
        return mode is not None and stat.S_ISREG(mode)

    def is_dir(self, path: Path) -> bool:
        """``path.is_dir()``, asked once per run."""
        mode = self._mode(path)
        return mode is not None and stat.S_ISDIR(mode)

    def exists(self, path: Path) -> bool:
        """``path.exists()``, asked once per run."""
        return self._mode(path) is not None

    def _mode(self, path: Path) -> int | None:
        key = os.fspath(path)
        if key in self._modes:
            return self._modes[key]
        try:
            mode: int | None = path.stat().st_mode
        except OSError as exc:  # as pathlib: "missing" errors mean no, others are raised
            if exc.errno not in _MISSING:
                raise
            mode = None
        except ValueError:
            mode = None
        self._modes[key] = mode
        return mode

    def texts(self) -> dict[Path, str | None]:
        """Every file text read so far (None: unreadable)."""
        return {Path(p): t for p, t in self._texts.items()}

    def seed(self, path: Path, text: str | None) -> None:
        """Record a file's text read elsewhere in this run (as ``text`` would return it)."""
        self._texts.setdefault(os.fspath(path), text)

    def text(self, path: Path) -> str | None:
        """A file's text, read once per run (None when unreadable or not UTF-8)."""
        key = os.fspath(path)
        if key not in self._texts:
            try:
                self._texts[key] = _read_text(path)
            except (OSError, UnicodeDecodeError):
                self._texts[key] = None
        return self._texts[key]


def _read_text(path: Path) -> str:
    """``path.read_text(encoding="utf-8")`` without the text-mode reader: bytes decoded, then
    newlines translated as universal-newline reading does (``\r\n`` and ``\r`` -> ``\n``)."""
    text = path.read_bytes().decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP, errno.ENAMETOOLONG)
