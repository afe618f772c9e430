"""``--changed-since REF``: keep the notebooks that changed, or whose inputs changed, since REF.

Changed files are what ``git diff --name-only --no-renames REF`` reports (committed, staged and
unstaged changes, deletions and both sides of a rename) plus untracked, not-ignored files. A
notebook is selected when any of these changed since REF:

* the notebook itself;
* a ``notebooks.yaml`` in its folder or a folder above (up to the repository root), or its
  ``release.json`` / ``<stem>.release.json``;
* its requirements: the ``conda_file`` and any ``-r FILE`` in ``pip``;
* its snapshot files: the ``files`` globs, or (without ``files``) a plain file of its folder.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import subprocess
from pathlib import Path

from envyard.errors import ConfigError, EnvyardError
from envyard.notebooks.config import FOLDER_FILES, RELEASE_FILE, resolve
from envyard.notebooks.discover import Found
from envyard.spec.notebooks import NotebookSettings


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise ConfigError("--changed-since needs git, which is not installed") from None
    if done.returncode != 0:
        raise ConfigError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def changed_files(start: Path, ref: str) -> tuple[Path, set[Path]]:
    """The repository root and the absolute paths changed since ``ref``."""
    folder = start if start.is_dir() else start.parent
    try:
        root = Path(_git(folder, "rev-parse", "--show-toplevel").strip()).resolve()
    except ConfigError:
        raise ConfigError(f"--changed-since: {start} is not in a git repository") from None
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except ConfigError:
        raise ConfigError(f"--changed-since: unknown git revision '{ref}'") from None
    names = _git(root, "diff", "--name-only", "--no-renames", "-z", ref, "--").split("\0")
    names += _git(root, "ls-files", "--others", "--exclude-standard", "-z").split("\0")
    return root, {(root / name).resolve() for name in names if name}


def _requirement_files(settings: NotebookSettings, folder: Path) -> set[Path]:
    out: set[Path] = set()
    if settings.conda_file:
        out.add((folder / settings.conda_file).resolve())
    for entry in settings.pip:
        parts = entry.split()
        if len(parts) == 2 and parts[0] in ("-r", "--requirement", "-c", "--constraint"):
            out.add((folder / parts[1]).resolve())
    return out


def _config_changed(notebook: Path, root: Path, changed: set[Path]) -> bool:
    """The notebook, a notebooks.yaml above it (inside the repo) or its release.json."""
    folder = notebook.parent
    releases = (RELEASE_FILE, f"{notebook.stem}.release.json")
    for path in changed:
        if path == notebook or (path.parent == folder and path.name in releases):
            return True
        above = folder.is_relative_to(path.parent) and path.parent.is_relative_to(root)
        if path.name in FOLDER_FILES and above:
            return True
    return False


def _snapshot_changed(settings: NotebookSettings, folder: Path, changed: set[Path]) -> bool:
    """A file of its snapshot: the ``files`` globs, else a plain file of its folder."""
    if not settings.files:
        return any(p.parent == folder and p.suffix != ".ipynb" for p in changed)
    plain = [(folder / p).resolve() for p in settings.files if not glob.has_magic(p)]
    for path in changed:
        relative = Path(os.path.relpath(path, folder)).as_posix()
        if any(fnmatch.fnmatch(relative, pattern) for pattern in settings.files):
            return True
        if any(path.is_relative_to(p) for p in plain):  # a listed folder
            return True
    return False


def _inputs_changed(notebook: Path, root: Path, changed: set[Path]) -> bool:
    if _config_changed(notebook, root, changed):
        return True
    try:
        settings = resolve(notebook).settings
    except EnvyardError:
        return False  # its broken config file did not change since REF (checked above)
    inside = {p for p in changed if p.is_relative_to(root)}
    if inside & _requirement_files(settings, notebook.parent):
        return True
    return _snapshot_changed(settings, notebook.parent, inside)


def select_changed(
    found: list[Found], ref: str, start: Path | None = None, ignore: list[Path] | None = None
) -> list[Found]:
    """The subset of ``found`` affected by changes since ``ref`` (order kept).

    Changes under ``ignore`` (the run's own output folder) do not count.
    """
    if not found:
        return []
    root, changed = changed_files(start or found[0].path, ref)
    skip = [p.resolve() for p in ignore or []]
    changed = {p for p in changed if not any(p.is_relative_to(s) for s in skip)}
    return [
        item
        for item in found
        if item.path.is_relative_to(root) and _inputs_changed(item.path, root, changed)
    ]
