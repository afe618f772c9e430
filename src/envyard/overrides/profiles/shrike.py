"""A shrike pipeline's hydra configuration, read as shrike 2.0.2 reads it.

- ``defaults: [- aml: NAME, - modules: NAME, ...]`` names config files by group:
  ``<config dir>/<group>/<NAME>.yaml``, the config dir being the pipeline's folder or one of its
  parents (a pipeline in ``config/experiments/`` finds ``config/aml/``).
- the ``aml`` config holds the workspace's ``tenant`` (shrike's ``config.aml.tenant``).
- the module manifest: ``modules.manifest`` in the pipeline, else in the ``modules`` config
  (``manifest:`` at its top or under ``modules:``); each entry's ``key`` (else ``name``) and its
  ``yaml`` spec path, relative to ``module_loader.local_steps_folder``.
- ``module_loader.use_local``: ``"*"`` (all local), ``"a, b"`` or a list (only those),
  ``"!a, !b"`` (all but those), ``""``/null (none); mixing the two forms is an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import YamlText, parse_yaml
from envyard.spec.diagnose import format_path
from envyard.yamlio.source import display_path, read_spec_text

_SEARCH_DEPTH = 4


def defaults(data: Any) -> dict[str, str]:
    """Group -> config name from a hydra ``defaults`` list (``override /aml: x`` too)."""
    out: dict[str, str] = {}
    listed = data.get("defaults") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        return out
    for entry in listed:
        if isinstance(entry, dict) and len(entry) == 1:
            ((group, name),) = entry.items()
            if isinstance(group, str) and isinstance(name, str):
                group = group.removeprefix("override ").strip().lstrip("/")
                out.setdefault(group, name)
    return out


def group_file(near: Path, group: str, name: str) -> Path | None:
    """``<dir>/<group>/<name>.yaml`` (or ``.yml``) in ``near``'s folder or a parent of it."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    folder = near.parent
    for _ in range(_SEARCH_DEPTH):
        for suffix in (".yaml", ".yml"):
            candidate = folder / group / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def read_config(path: Path) -> YamlText:
    return parse_yaml(read_spec_text(path), display_path(path))


def aml_tenant(config: Path) -> str | None:
    """The ``tenant`` of an aml config file (at its top, or under ``aml:``)."""
    data = read_config(config).data
    tenant = data.get("tenant")
    if tenant is None and isinstance(data.get("aml"), dict):
        tenant = data["aml"].get("tenant")
    return str(tenant) if tenant not in (None, "") else None


@dataclass(frozen=True)
class LocalComponents:
    """``module_loader.use_local``: which components are local (and so are staged)."""

    everything: bool
    keys: frozenset[str]
    except_for: bool

    def is_local(self, key: str) -> bool:
        if self.everything:
            return True
        return (f"!{key}" not in self.keys) if self.except_for else key in self.keys

    def is_local_path(self, spec: Path, steps_folder: Path) -> bool:
        """Without a manifest, a component is known by its folder (relative, or its name)."""
        if self.everything:
            return True
        folder = spec.parent
        rel = os.path.relpath(folder, steps_folder)
        return (
            any(self.is_local(k) for k in {rel, folder.name})
            if not self.except_for
            else (self.is_local(rel) and self.is_local(folder.name))
        )


def use_local(doc: YamlText) -> LocalComponents | None:
    """``module_loader.use_local`` of a pipeline, or None when it does not say."""
    loader = doc.data.get("module_loader")
    if not isinstance(loader, dict) or "use_local" not in loader:
        return None
    value = loader["use_local"]
    where = ("module_loader", "use_local")
    if value is None or value == "":
        return LocalComponents(False, frozenset(), False)
    if value == "*":
        return LocalComponents(True, frozenset(), False)
    if isinstance(value, str):
        keys = [k.strip() for k in value.split(",") if k.strip()]
    elif isinstance(value, list) and all(isinstance(k, str) for k in value):
        keys = [k.strip() for k in value]
    else:
        raise _error(doc, where, 'must be "*", a comma-separated string or a list of keys')
    excluded = [k.startswith("!") for k in keys]
    if keys and any(excluded) and not all(excluded):
        raise _error(
            doc,
            where,
            "mixes component keys and !exclusions",
            hint='write "KEY_1, KEY_2" (only those are local) or "!KEY_1, !KEY_2" (all but those)',
        )
    return LocalComponents(False, frozenset(keys), bool(keys) and all(excluded))


Manifest = list[tuple[str, YamlText, tuple[Any, ...]]]


def module_manifest(doc: YamlText, path: Path) -> Manifest | None:
    """(key, document, location of its ``yaml``) per manifest entry with a spec, or None."""
    found = _manifest_in(doc, ("modules", "manifest"))
    if found is None:
        name = defaults(doc.data).get("modules")
        config = group_file(path, "modules", name) if name else None
        if config is None:
            return None
        mdoc = read_config(config)
        found = _manifest_in(mdoc, ("manifest",))
        if found is None:
            found = _manifest_in(mdoc, ("modules", "manifest"))
    return found


def _manifest_in(doc: YamlText, where: tuple[str, ...]) -> Manifest | None:
    value: Any = doc.data
    for part in where:
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, list):
        return None
    out = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            continue
        key = entry.get("key") or entry.get("name")
        if not isinstance(key, str):
            raise _error(doc, (*where, i), "a manifest entry needs a `key` or a `name`")
        spec = entry.get("yaml") if entry.get("yaml") is not None else entry.get("yaml_spec")
        if spec is None:
            continue  # a remote component: nothing to stage
        field_name = "yaml" if entry.get("yaml") is not None else "yaml_spec"
        out.append((key, doc, (*where, i, field_name)))
    return out


def _error(
    doc: YamlText, where: tuple[Any, ...], message: str, *, hint: str | None = None
) -> SpecError:
    line, col = doc.position(where)
    return SpecError.at(doc.file, message, line=line, col=col, field=format_path(where), hint=hint)
