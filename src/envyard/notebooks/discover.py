"""Find the notebooks to test under the paths given on the command line.

A file is taken as given (even one that is not a notebook: it becomes a clear error result).
A folder is searched recursively; in each folder a ``notebooks.yaml`` may narrow the search with
``include`` / ``exclude`` glob patterns (matched against the path relative to that folder).
Hidden folders, ``.ipynb_checkpoints``, ``__pycache__`` and ``node_modules`` are never searched.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import SpecError
from envyard.notebooks.config import folder_config

_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "node_modules", "site-packages"}


@dataclass(frozen=True)
class Found:
    path: Path  # absolute
    problem: str | None = None  # "no such file", a broken notebooks.yaml, ...


def _matches(relative: str, patterns: list[str]) -> bool:
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def _walk(folder: Path, rules: list[tuple[Path, list[str], list[str]]], out: list[Found]) -> None:
    try:
        found = folder_config(folder)
    except SpecError as exc:
        out.append(Found(folder / "notebooks.yaml", problem=str(exc)))
        found = None
    if found is not None:
        config = found[1]
        rules = [*rules, (folder, list(config.include), list(config.exclude))]
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        out.append(Found(folder, problem=f"cannot read folder: {exc.strerror}"))
        return
    for entry in entries:
        if entry.is_dir():
            if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
                continue
            _walk(entry, rules, out)
        elif entry.is_file() and _selected(entry, rules):
            out.append(Found(entry))


def _selected(path: Path, rules: list[tuple[Path, list[str], list[str]]]) -> bool:
    if not rules:
        return path.suffix == ".ipynb"
    # the nearest notebooks.yaml decides what is included; every level may exclude
    base, include, _ = rules[-1]
    if not _matches(path.relative_to(base).as_posix(), include):
        return False
    return not any(_matches(path.relative_to(b).as_posix(), ex) for b, _, ex in rules if ex)


def discover(paths: list[Path], exclude_dirs: list[Path] | None = None) -> list[Found]:
    """Notebooks under ``paths`` in a stable order, without duplicates."""
    out: list[Found] = []
    for given in paths:
        path = given.resolve()
        if not path.exists():
            out.append(Found(path, problem=f"no such file or folder: {given}"))
        elif path.is_dir():
            _walk(path, [], out)
        else:
            out.append(Found(path))
    skip = [d.resolve() for d in exclude_dirs or []]
    seen: set[Path] = set()
    unique: list[Found] = []
    for item in out:
        if item.path in seen or any(item.path.is_relative_to(d) for d in skip):
            continue
        seen.add(item.path)
        unique.append(item)
    return unique
