"""A minimal working directory per notebook: the seed's ``build_snapshot`` and
``add_pip_dependency``.

The snapshot mirrors the layout relative to the repository root (or the notebook's folder
outside a repository), so relative paths such as ``../data/x.csv`` keep working. It holds the
notebook and, when the settings list ``files`` (globs relative to the notebook's folder), exactly
those; otherwise the other plain files of the notebook's folder. Paths may not leave the root,
and no symbolic link is copied as a link: one that resolves inside the root is copied as its
target's content at the link's place, one that resolves outside is refused.
With ``conda_file`` and ``pip`` set, the staged copy of the conda file gets the pip requirements
added under ``dependencies: - pip:`` (comments kept); the user's file is never changed.
"""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.errors import ConfigError
from envyard.notebooks.config import repo_root
from envyard.spec.notebooks import NotebookSettings
from envyard.yamlio import roundtrip_dump, roundtrip_load


@dataclass(frozen=True)
class Snapshot:
    root: Path
    notebook: Path  # the notebook's copy inside the snapshot
    cwd: Path  # the kernel's working directory
    conda_file: Path | None = None


def _inside(path: Path, root: Path, what: str) -> tuple[Path, Path]:
    """``(where it is in the repository, the file whose content is copied)``.

    ``path`` may be a link (or lie below one): a link to a file or folder inside ``root`` is
    copied as its target's content at the link's place; one that resolves outside is refused,
    so nothing from outside the repository ever reaches a snapshot.
    """
    lexical = Path(os.path.normpath(path))
    if not lexical.is_relative_to(root):
        raise ConfigError(f"{what} '{path}' is outside the repository {root}")
    resolved = lexical.resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(
            f"{what} '{lexical}' is a symbolic link to '{resolved}', outside the repository {root}",
            hint="copy the file into the repository, or remove the link",
        )
    return lexical, resolved


def _listed_at(notebook: Path, pattern: str) -> str:
    """``file:line:col files[i]`` of the settings entry that listed ``pattern`` (the nearest
    file that lists it; ``notebooks.yaml``'s ``files`` or the notebook's section, or a
    ``release.json``'s ``dependencies``), or ``files`` when none can be found."""
    from envyard.notebooks.config import sources
    from envyard.yamlio import read

    where = "files"
    for source in sources(notebook):
        try:
            doc = read(source)
        except Exception:  # noqa: S112 - a position in a message only; the file was loaded before
            continue
        data = doc.data if isinstance(doc.data, dict) else {}
        section = data.get("notebooks")
        own = section.get(notebook.name) if isinstance(section, dict) else None
        candidates: list[tuple[tuple[str | int, ...], Any]] = [
            (("files",), data.get("files")),
            (("dependencies",), data.get("dependencies")),
            (("notebooks", notebook.name, "files"), own.get("files") if own else None),
        ]
        for path, entries in candidates:
            if isinstance(entries, list) and pattern in entries:
                index = entries.index(pattern)
                line, col = doc.position((*path, index))
                where = f"{source}:{line}:{col} {path[-1]}[{index}]"
    return where


def _check_links(folder: Path, root: Path) -> None:
    """Every link below ``folder`` must point inside ``root``: copying a folder follows links,
    and a link to ``/etc`` or a home directory must not leak into a snapshot."""
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            entry = Path(dirpath) / name
            if entry.is_symlink():
                _inside(entry, root, "files entry (a link inside a listed folder)")


def snapshot_files(notebook: Path, settings: NotebookSettings) -> list[tuple[Path, Path]]:
    """The files a notebook's snapshot holds besides the notebook: ``(place, content)`` pairs
    of absolute paths (they differ for a link inside the repository)."""
    root = repo_root(notebook.parent) or notebook.parent
    folder = notebook.parent
    found: list[tuple[Path, Path]] = []
    if settings.files:
        for pattern in settings.files:
            matches = sorted(glob.glob(pattern, root_dir=folder, recursive=True))  # noqa: PTH207 - patterns may climb (../data/*.csv)
            if not matches:
                raise ConfigError(f"files: '{pattern}' matches nothing in {folder}")
            for match in matches:
                try:
                    found.append(_inside(folder / match, root, "files entry"))
                except ConfigError as exc:
                    raise ConfigError(f"{_listed_at(notebook, pattern)}: {exc}") from None
    else:
        for entry in sorted(folder.iterdir()):
            if entry.suffix != ".ipynb" and entry.is_file():
                found.append(_inside(entry, root, "file beside the notebook"))
    if settings.conda_file:
        found.append(_inside(folder / settings.conda_file, root, "conda_file"))
    return [pair for pair in dict.fromkeys(found) if pair[0] != notebook]


def add_pip_dependency(text: str, requirements: list[str], file: str = "<conda file>") -> str:
    """Add ``requirements`` to the ``pip:`` list of a conda environment file's text (comments
    and layout kept: the staged copy is an edit of the user's file)."""
    data = roundtrip_load(text, file) or {}
    deps = data.setdefault("dependencies", [])
    pip_entry = next((d for d in deps if isinstance(d, dict) and "pip" in d), None)
    if pip_entry is None:
        if not any(str(d).split("=")[0].strip() == "pip" for d in deps if isinstance(d, str)):
            deps.append("pip")
        pip_entry = {"pip": []}
        deps.append(pip_entry)
    if pip_entry["pip"] is None:
        pip_entry["pip"] = []
    existing = {str(r).strip() for r in pip_entry["pip"]}
    for requirement in requirements:
        if requirement.strip() not in existing:
            pip_entry["pip"].append(requirement)
    return roundtrip_dump(data, indent=(2, 4, 2))  # the usual conda file layout


def _with_target(path: Path, target: str, root: Path) -> str:
    """``path``'s text with ``target``'s override profile applied (a staged copy's text)."""
    from envyard.overrides import staged

    with staged([path], target=target, cwd=root) as stage:
        copy = {Path(k).resolve(): Path(v) for k, v in stage.paths.items()}[path]
        return copy.read_text(encoding="utf-8")


def build_snapshot(notebook: Path, settings: NotebookSettings, where: Path) -> Snapshot:
    """Copy what ``notebook`` needs into ``where`` (created)."""
    notebook = notebook.resolve()
    root = repo_root(notebook.parent) or notebook.parent
    files = snapshot_files(notebook, settings)
    for place, source in [(notebook, notebook), *files]:
        target = where / place.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            _check_links(source, root)
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    staged_conda: Path | None = None
    if settings.conda_file:
        place, original = _inside(notebook.parent / settings.conda_file, root, "conda_file")
        staged_conda = where / place.relative_to(root)
        text = staged_conda.read_text(encoding="utf-8")
        if settings.target:
            text = _with_target(original, settings.target, root)
        if settings.pip:
            text = add_pip_dependency(text, settings.pip, str(place))
        staged_conda.write_text(text, encoding="utf-8")
    copy = where / notebook.relative_to(root)
    return Snapshot(where, copy, copy.parent, staged_conda)
