"""Read a user's file safely: size, binary content and encoding each give one clear error."""

from __future__ import annotations

from pathlib import Path

from envyard.errors import SpecError

MAX_SPEC_BYTES = 4 * 1024 * 1024
"""Spec files larger than this are refused (a spec is never that large; a data file is)."""


def display_path(path: Path) -> str:
    """The path as the user should see it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, *, max_bytes: int = MAX_SPEC_BYTES) -> str:
    """Return the file's text, or raise a one-diagnostic SpecError saying what is wrong."""
    shown = display_path(path)
    if not path.exists():
        raise SpecError.at(shown, "file does not exist", hint="check the path")
    if path.is_dir():
        raise SpecError.at(shown, "is a directory, not a file")
    if not path.is_file():
        raise SpecError.at(shown, "is not a regular file (a device, pipe or socket)")
    size = path.stat().st_size
    if size > max_bytes:
        raise SpecError.at(
            shown,
            f"file is {size / 1024 / 1024:.1f} MB; spec files are limited to "
            f"{max_bytes // 1024 // 1024} MB",
            line=1,
            col=1,
            hint="is this a data file? spec files hold configuration only",
        )
    with path.open("rb") as handle:
        # sized from the stat: read(max_bytes + 1) would reserve 4 MB for every small file
        raw = handle.read(size + 1)
        if len(raw) > size:  # grew since stat: read on up to the limit
            raw += handle.read(max_bytes + 1 - len(raw))
    if len(raw) > max_bytes:  # grew since stat
        too_big = f"file is larger than {max_bytes // 1024 // 1024} MB"
        raise SpecError.at(shown, too_big, line=1, col=1)
    nul = raw.find(b"\x00", 0, 8192)
    if nul >= 0:
        line, col = _place(raw, nul)
        raise SpecError.at(
            shown,
            "binary file, not YAML or JSON text (it holds a NUL byte)",
            line=line,
            col=col,
            hint="spec files are UTF-8 text",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _place(raw, exc.start)
        raise SpecError.at(
            shown,
            f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})",
            line=line,
            col=col,
            hint="save the file as UTF-8",
        ) from None


def _place(raw: bytes, index: int) -> tuple[int, int]:
    """1-based (line, column in characters) of byte ``index``."""
    start = raw.rfind(b"\n", 0, index) + 1
    return raw.count(b"\n", 0, index) + 1, len(raw[start:index].decode("utf-8", "replace")) + 1


read_spec_text = read_text
"""The name this function had in ``envyard.spec.source``."""
