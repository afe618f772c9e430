"""The files an asset releases: its folder plus ``release_paths`` (``!`` excludes), confined.

Every path is resolved (symlinks too) and must stay inside the repository root; a path that
escapes it, or that does not exist, is a SpecError pointing at the ``release_paths`` entry.
"""

from __future__ import annotations

import os
from pathlib import Path

from envyard.assets.model import Asset
from envyard.errors import Diagnostic, SpecError

SKIP_NAMES = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".DS_Store"}


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _files_under(path: Path, root: Path, errors: list[str]) -> list[Path]:
    if path.is_file():
        return [path]
    out: list[Path] = []
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_NAMES)
        for name in sorted(files):
            if name in SKIP_NAMES:
                continue
            file = Path(folder) / name
            real = file.resolve()
            if not _inside(real, root):
                errors.append(f"'{file}' links outside the repository (to {real})")
                continue
            out.append(file)
    return out


def release_files(asset: Asset, *, lock_file: str = "envyard.lock.json") -> list[Path]:
    """Absolute paths of every file released with ``asset``, sorted by repo-relative path."""
    root = asset.root.resolve()
    problems: list[Diagnostic] = []
    errors: list[str] = []
    files = {p.resolve(): p for p in _files_under(asset.dir, root, errors)}
    files.pop((asset.dir / lock_file).resolve(), None)
    excludes: list[Path] = []
    for index, entry in enumerate(asset.config.release_paths):
        negate = entry.startswith("!")
        raw = entry[1:] if negate else entry
        target = (asset.dir / raw).resolve()
        where = ("release_paths", index)
        if not _inside(target, root):
            problems.append(
                asset.diag(
                    where,
                    f"'{raw}' is outside the repository",
                    hint="release paths must stay inside the repository",
                )
            )
            continue
        if negate:
            excludes.append(target)
            continue
        if not target.exists():
            problems.append(asset.diag(where, f"'{raw}' does not exist", hint="check the path"))
            continue
        for file in _files_under(target, root, errors):
            files.setdefault(file.resolve(), file)
    for message in errors:
        problems.append(asset.diag(("release_paths",), message, key=True))
    if problems:
        raise SpecError([_as(d) for d in problems])
    kept = [
        p for real, p in files.items() if not any(real == e or _inside(real, e) for e in excludes)
    ]
    return sorted(kept, key=asset.rel)


def _as(d: Diagnostic) -> Diagnostic:
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule="AST013")
