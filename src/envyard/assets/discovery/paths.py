# ruff: noqa: PTH100, PTH110, PTH112, PTH113, PTH114, PTH118 - os.path on strings: thousands of files, no Path objects
"""The files an asset releases: its folder plus ``release_paths`` (``!`` excludes), confined.

Paths are handled lexically (discovery hands out absolute, resolved roots); only symbolic
links are resolved, and every path — or link target — must stay inside the repository root.
A path that escapes it, or that does not exist, is a SpecError at its ``release_paths`` entry.
"""

from __future__ import annotations

import os
from pathlib import Path

from envyard.assets.discovery.model import Asset
from envyard.assets.discovery.named import released_extras
from envyard.assets.fsutil import inside
from envyard.errors import Diagnostic, SpecError

SKIP_NAMES = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".DS_Store"}


def _in_git_dir(path: str, root: str) -> bool:
    """Whether ``path`` (or what it links to) is git's own folder or inside it."""
    for candidate in (path, os.path.realpath(path)):
        if ".git" in Path(os.path.relpath(candidate, root)).parts:
            return True
    return False


def files_under(path: str, root: str, errors: list[str]) -> list[str]:
    """The files at or below ``path``, links followed when inside ``root``; a message in
    ``errors`` for each link that leads outside it (that link is left out)."""
    if os.path.isfile(path):
        real = os.path.realpath(path) if os.path.islink(path) else path
        if not inside(real, root):
            errors.append(f"'{path}' links outside the repository (to {real})")
            return []
        return [path]
    out: list[str] = []
    _walk(path, root, errors, out)
    return out


def _walk(folder: str, root: str, errors: list[str], out: list[str]) -> None:
    """``os.walk`` top-down, sorted, links checked - from ``scandir`` entries, whose types
    need no extra ``lstat`` per file (thousands of assets, a few files each)."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:  # as os.walk: an unreadable folder is skipped
        return
    dirs: list[os.DirEntry[str]] = []
    files: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        (dirs if is_dir else files).append(entry)
    kept: list[str] = []
    for entry in sorted(dirs, key=_name):
        if entry.name in SKIP_NAMES:
            continue
        if entry.is_symlink():
            out.extend(_files_under_link(entry.path, root, errors))
            continue
        kept.append(entry.path)
    for entry in sorted(files, key=_name):
        if entry.name in SKIP_NAMES:
            continue
        if entry.is_symlink():
            real = os.path.realpath(entry.path)
            if not inside(real, root):
                errors.append(f"'{entry.path}' links outside the repository (to {real})")
                continue
        out.append(entry.path)
    for sub in kept:
        _walk(sub, root, errors, out)


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _files_under_link(link: str, root: str, errors: list[str]) -> list[str]:
    real = os.path.realpath(link)
    if not inside(real, root):
        errors.append(f"'{link}' links outside the repository (to {real})")
        return []
    return [os.path.join(link, os.path.relpath(f, real)) for f in files_under(real, root, errors)]


def links_out(folder: str, root: str) -> list[str]:
    """A message for each symbolic link below ``folder`` that leads outside ``root``."""
    errors: list[str] = []
    files_under(folder, root, errors)
    return errors


def asset_dir_files(asset: Asset) -> tuple[list[str], list[str]]:
    """(files below the asset folder, link errors): walked once per asset and run."""
    if asset.listing is None:
        errors: list[str] = []
        files = files_under(os.path.abspath(asset.dir), asset.real_root(), errors)
        asset.listing = (files, errors)
    return asset.listing


def release_files(asset: Asset, *, lock_file: str = "envyard.lock.json") -> list[Path]:
    """Absolute paths of every file released with ``asset``, sorted by repo-relative path."""
    return sorted(map(Path, released_paths(asset, lock_file=lock_file)), key=asset.rel)


def released_paths(asset: Asset, *, lock_file: str = "envyard.lock.json") -> list[str]:
    """The files of :func:`release_files` as path strings, unsorted (the rule AST013 needs
    only its errors: thousands of assets need no Path objects)."""
    root = asset.real_root()
    base = os.path.abspath(asset.dir)
    problems: list[Diagnostic] = []
    listed, listing_errors = asset_dir_files(asset)
    errors: list[str] = list(listing_errors)
    files = dict.fromkeys(listed)
    files.pop(os.path.join(base, lock_file), None)
    excludes: list[str] = []
    for index, entry in enumerate(asset.config.release_paths):
        negate = entry.startswith("!")
        raw = entry[1:] if negate else entry
        target = os.path.normpath(os.path.join(base, raw))
        where = ("release_paths", index)
        if _in_git_dir(target, root):
            problems.append(
                asset.diag(
                    where,
                    f"'{raw}' is inside git's own folder (.git)",
                    hint="release paths name files of the repository, never .git",
                )
            )
            continue
        if not inside(target, root) or not inside(os.path.realpath(target), root):
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
        if not os.path.exists(target):
            problems.append(asset.diag(where, f"'{raw}' does not exist", hint="check the path"))
            continue
        files.update(dict.fromkeys(files_under(target, root, errors)))
    for target in released_extras(asset):  # code, data path, build context: released too
        if not inside(target, root) or not inside(os.path.realpath(target), root):
            continue  # reported by AST013 (confine), never read into a release
        if os.path.isdir(target):
            files.update(dict.fromkeys(files_under(target, root, errors)))
        else:
            files[target] = None
    for message in errors:
        problems.append(asset.diag(("release_paths",), message, key=True))
    if problems:
        raise SpecError([_as(d) for d in problems])
    if not excludes:
        return list(files)
    return [p for p in files if not any(inside(p, e) for e in excludes)]


def _as(d: Diagnostic) -> Diagnostic:
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule="AST013")
