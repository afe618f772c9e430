"""Resolve a notebook's settings from ``notebooks.yaml`` files, ``release.json`` and the CLI.

Precedence, weakest first: each ``notebooks.yaml`` from the top folder down to the notebook's
own folder (its defaults, then its ``notebooks:`` section for the notebook, keyed by the path
relative to that folder), then ``release.json`` beside the notebook, then ``<stem>.release.json``
beside it, then command-line options. Scalars are replaced; ``pip`` and ``files`` lists add up;
``parameters`` merge key by key. The walk up stops at the repository root (a ``.git`` entry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.spec.loader import load_model
from envyard.spec.notebooks import NotebookFolderConfig, NotebookSettings, ReleaseJson

FOLDER_FILES = ("notebooks.yaml", "notebooks.yml")
RELEASE_FILE = "release.json"
_LISTS = ("pip", "files")


@dataclass(frozen=True)
class ResolvedSettings:
    """The merged settings of one notebook and the files they came from."""

    settings: NotebookSettings
    sources: tuple[Path, ...] = ()


@dataclass
class Overrides:
    """Command-line options that beat every file."""

    environment: str | None = None
    timeout: float | None = None
    cell_timeout: float | None = None
    target: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


def repo_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git``."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _folders(notebook_dir: Path) -> list[Path]:
    """Folders from the top (repository root, else filesystem root) down to ``notebook_dir``."""
    root = repo_root(notebook_dir)
    chain = [notebook_dir]
    for parent in notebook_dir.parents:
        if root is not None and not parent.is_relative_to(root):
            break
        chain.append(parent)
    return list(reversed(chain))


@cache
def _folder_config(path: Path, _mtime: int) -> NotebookFolderConfig:
    return load_model(path, NotebookFolderConfig, "notebook-config")


@cache
def _release(path: Path, _mtime: int) -> ReleaseJson:
    return load_model(path, ReleaseJson, "notebook-release")


def load_folder_config(path: Path) -> NotebookFolderConfig:
    """``notebooks.yaml`` (cached until the file changes)."""
    return _folder_config(path, path.stat().st_mtime_ns)


def load_release(path: Path) -> ReleaseJson:
    """``release.json`` (cached until the file changes)."""
    return _release(path, path.stat().st_mtime_ns)


def folder_config(folder: Path) -> tuple[Path, NotebookFolderConfig] | None:
    for name in FOLDER_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate, load_folder_config(candidate)
    return None


def _merge(base: dict[str, Any], layer: NotebookSettings) -> dict[str, Any]:
    out = dict(base)
    for name in layer.model_fields_set:
        if name not in NotebookSettings.model_fields:
            continue
        value = getattr(layer, name)
        if name in _LISTS:
            out[name] = [*out.get(name, []), *value]
        elif name == "parameters":
            out[name] = {**out.get(name, {}), **value}
        else:
            out[name] = value
    return out


def _release_layer(release: ReleaseJson) -> NotebookSettings:
    settings = release.as_settings()
    explicit = {
        "environment": "environment",
        "requirements": "pip",
        "conda_file": "conda_file",
        "timeout": "timeout",
        "cell_timeout": "cell_timeout",
        "parameters": "parameters",
        "skip": "skip",
        "dependencies": "files",
    }
    chosen = {explicit[n] for n in release.model_fields_set if n in explicit}
    return NotebookSettings.model_validate({name: getattr(settings, name) for name in chosen})


def sources(notebook: Path) -> list[Path]:
    """The config files that apply to ``notebook``, weakest first (existing files only)."""
    found: list[Path] = []
    for folder in _folders(notebook.parent):
        found += [folder / n for n in FOLDER_FILES if (folder / n).is_file()][:1]
    for name in (RELEASE_FILE, f"{notebook.stem}.release.json"):
        if (notebook.parent / name).is_file():
            found.append(notebook.parent / name)
    return found


def _merge_files(
    notebook: Path, files: list[Path], read: Callable[[Path], Path] = lambda p: p
) -> dict[str, Any]:
    """Merge the layers of ``files``; ``read`` maps a file to the copy to load (staging)."""
    merged: dict[str, Any] = {}
    errors: list[SpecError] = []
    for path in files:
        try:
            if path.name in FOLDER_FILES:
                config = load_folder_config(read(path))
                merged = _merge(merged, config)
                key = notebook.relative_to(path.parent).as_posix()
                if key in config.notebooks:
                    merged = _merge(merged, config.notebooks[key])
            else:
                merged = _merge(merged, _release_layer(load_release(read(path))))
        except SpecError as exc:
            errors.append(exc)
    if errors:
        raise SpecError.merge(errors)
    return merged


def _with_target(notebook: Path, files: list[Path], target: str) -> dict[str, Any]:
    """Merge again from copies of ``files`` staged with ``target``'s overrides applied."""
    from envyard.overrides import staged

    root = repo_root(notebook.parent) or Path.cwd()
    with staged(files, target=target, cwd=root) as stage:
        copies = {Path(k).resolve(): Path(v) for k, v in stage.paths.items()}
        return _merge_files(notebook, files, lambda p: copies.get(p.resolve(), p))


def resolve(notebook: Path, overrides: Overrides | None = None) -> ResolvedSettings:
    """Merged settings for ``notebook``; raises SpecError for a broken config file.

    When a target is set (in the files or by ``overrides``), its override profile is applied
    to staged copies of the config files (:func:`envyard.overrides.staged`) and the settings
    are read from those copies; the user's files are never changed.
    """
    notebook = notebook.resolve()
    files = sources(notebook)
    merged = _merge_files(notebook, files)
    target = (overrides.target if overrides else None) or merged.get("target")
    if target and files:
        merged = _with_target(notebook, files, str(target))
        merged["target"] = target
    if overrides is not None:
        explicit: dict[str, Any] = {
            k: v
            for k, v in (
                ("environment", overrides.environment),
                ("timeout", overrides.timeout),
                ("cell_timeout", overrides.cell_timeout),
                ("target", overrides.target),
            )
            if v is not None
        }
        if overrides.parameters:
            explicit["parameters"] = {**merged.get("parameters", {}), **overrides.parameters}
        merged.update(explicit)
    return ResolvedSettings(NotebookSettings.model_validate(merged), tuple(files))


def skip_reason(settings: NotebookSettings) -> str | None:
    """The reason to skip, or None to run (``skip: true`` gives a generic reason)."""
    if settings.skip is True:
        return "skipped by configuration"
    if isinstance(settings.skip, str) and settings.skip.strip():
        return settings.skip.strip()
    return None
