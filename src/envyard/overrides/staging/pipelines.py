# ruff: noqa: PTH119 - os.path on strings: thousands of component files, no Path objects
"""Which component specs a pipeline YAML stands for (``module_loader``), found and checked.

``module_loader.components`` lists spec paths (relative to ``local_steps_folder`` when set,
else to the pipeline); else shrike's module manifest (``modules.manifest`` in the pipeline, or
the ``modules`` config its hydra ``defaults`` name), each entry's ``yaml`` relative to
``local_steps_folder``; else every component spec under ``local_steps_folder`` (``spec.yaml``,
``component_spec.yaml``, ``*.spec.yaml``, ``*_spec.yaml``, also ``.yml``). Each must exist and
stay inside the pipeline's repository (or, outside git, the named specs' folder).

``module_loader.use_local`` (shrike's syntax, :mod:`envyard.overrides.profiles.shrike`) keeps
only the local components: by manifest key, else by the component's folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import YamlText
from envyard.overrides.profiles.shrike import module_manifest, use_local
from envyard.overrides.staging import fsio
from envyard.spec.diagnose import format_path
from envyard.yamlio.source import display_path

COMPONENT_NAMES = ("spec.yaml", "spec.yml", "component_spec.yaml", "component_spec.yml")
YAML_SUFFIXES = (".yaml", ".yml")


def is_pipeline(doc: YamlText) -> bool:
    loader = doc.data.get("module_loader")
    return isinstance(loader, dict) and ("local_steps_folder" in loader or "components" in loader)


def repository(path: Path) -> Path | None:
    """The git work tree holding ``path`` (its nearest ancestor with ``.git``), if any."""
    for folder in path.parents:
        if (folder / ".git").exists():
            return folder
    return None


def pipeline_components(
    doc: YamlText, path: Path, project: Path, resolver: fsio.Resolver | None = None
) -> list[Path] | None:
    """The component specs a pipeline YAML uses, or None when ``doc`` is not a pipeline.

    ``module_loader.components`` lists spec paths (relative to ``local_steps_folder`` when set,
    else to the pipeline); without it, every component spec under ``local_steps_folder``
    (``resolver`` is told what that walk saw).
    """
    if not is_pipeline(doc):
        return None
    loader = doc.data["module_loader"]
    folder = fsio.lexical(path.parent)
    if loader.get("local_steps_folder") is not None:
        folder = _existing(
            doc, ("module_loader", "local_steps_folder"), path.parent, dir_=True, inside=project
        )
    listed = loader.get("components")
    local = use_local(doc)
    if listed is None:
        manifest = module_manifest(doc, path)
        if manifest is not None:
            return [
                _existing(mdoc, where, folder, dir_=False, inside=project)
                for key, mdoc, where in manifest
                if local is None or local.is_local(key)
            ]
        return [
            p
            for p in _components(folder, resolver)
            if local is None or local.is_local_path(p, folder)
        ]
    if not isinstance(listed, list):
        where = ("module_loader", "components")
        line, col = doc.position(where)
        raise SpecError.at(
            doc.file, "must be a list of spec paths", line=line, col=col, field=format_path(where)
        )
    found = [
        _existing(doc, ("module_loader", "components", i), folder, dir_=False, inside=project)
        for i in range(len(listed))
    ]
    return [p for p in found if local is None or local.is_local_path(p, folder)]


def _existing(
    doc: YamlText, where: tuple[str | int, ...], relative_to: Path, *, dir_: bool, inside: Path
) -> Path:
    value: Any = doc.data
    for part in where:
        value = value[part]
    line, col = doc.position(where)
    kind = "folder" if dir_ else "file"
    if not isinstance(value, str):
        raise SpecError.at(
            doc.file, f"must be a {kind} path", line=line, col=col, field=format_path(where)
        )
    found = fsio.lexical(relative_to / value)
    if not (found.is_dir() if dir_ else found.is_file()):
        raise SpecError.at(
            doc.file,
            f"{kind} '{value}' does not exist (relative to {display_path(relative_to)})",
            line=line,
            col=col,
            field=format_path(where),
            hint=f"the path is relative to {display_path(relative_to)}",
        )
    if not (found.is_relative_to(inside) and found.resolve().is_relative_to(inside.resolve())):
        raise SpecError.at(
            doc.file,
            f"{kind} '{value}' is outside the project ({display_path(inside)})",
            line=line,
            col=col,
            field=format_path(where),
            hint="components must live inside the pipeline's repository (or, outside git, "
            "the folder of the specs you name)",
        )
    return found


def _components(folder: Path, resolver: fsio.Resolver | None) -> list[Path]:
    return [
        Path(p)
        for p in fsio.walk_files(str(folder), YAML_SUFFIXES, resolver)
        if os.path.basename(p) in COMPONENT_NAMES or p.endswith((".spec.yaml", "_spec.yaml"))
    ]
