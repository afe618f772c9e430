"""Where a submission's tenant comes from, besides the command line: shrike's ``aml`` config
named by the pipeline, and the workspace ``config.json`` ML workspace tools write.

A workspace config also has a readable *name* (the RFC's add-on): its file stem
(``personal.json`` -> ``personal``), or for a file called ``config.json`` the folder holding it
(``personal/config.json`` -> ``personal``; ``proj/.azureml/config.json`` -> ``proj``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import SpecError
from envyard.overrides.profiles.shrike import aml_tenant, defaults, group_file, read_config
from envyard.yamlio.source import display_path


def config_name(path: Path) -> str:
    """The readable name of a workspace config file (see the module docstring)."""
    if path.stem != "config":
        return path.stem
    parent = path.parent
    if parent.name == ".azureml":
        parent = parent.parent
    return parent.name or path.stem


def find_workspace_config(cwd: Path) -> Path | None:
    """``config.json`` in ``cwd`` or ``cwd/.azureml``, then in each parent the same way."""
    for folder in (cwd, *cwd.parents):
        for candidate in (folder / "config.json", folder / ".azureml" / "config.json"):
            if candidate.is_file():
                return candidate
    return None


def read_tenant(config: Path) -> str | None:
    """The ``tenant_id`` of a workspace config file (None when it has none)."""
    shown = display_path(config)
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SpecError.at(
            shown, f"not valid JSON: {exc.msg}", line=exc.lineno, col=exc.colno
        ) from None
    except OSError as exc:
        raise SpecError.at(shown, f"cannot read: {exc.strerror}") from None
    if not isinstance(data, dict):
        raise SpecError.at(shown, "a workspace config holds a JSON object", line=1, col=1)
    tenant = data.get("tenant_id") or data.get("tenantId")
    return str(tenant) if tenant else None


@dataclass(frozen=True)
class AmlConfig:
    """An ``aml`` config file: its name (``eyesoff``), path and tenant."""

    name: str
    path: Path
    tenant: str | None


def aml_config(near: Path | None, name: str) -> AmlConfig | None:
    """``<config dir>/aml/<name>.yaml`` found from ``near`` (a pipeline or overrides file)."""
    if near is None:
        return None
    path = group_file(near, "aml", name)
    return AmlConfig(name, path, aml_tenant(path)) if path is not None else None


def pipeline_aml(candidates: Iterable[Path]) -> tuple[Path, AmlConfig] | None:
    """The first candidate pipeline whose hydra ``defaults`` name an ``aml`` config found on
    disk, with that config."""
    for pipeline in candidates:
        if pipeline.suffix not in (".yaml", ".yml") or not pipeline.is_file():
            continue
        try:
            data = read_config(pipeline).data
        except SpecError:
            continue  # not this file's job to report: staging reads it again
        name = defaults(data).get("aml")
        found = aml_config(pipeline, name) if name else None
        if found is not None:
            return pipeline, found
    return None


def shrike_profile(keys: Sequence[str], tenant: str | None, overrides: Path | None) -> str | None:
    """The profile shrike 2.0.2 picks for ``tenant``: the first key, in file order, that is the
    tenant itself or names an aml config with that tenant."""
    if tenant is None:
        return None
    for key in keys:
        if key == tenant:
            return key
        found = aml_config(overrides, key)
        if found is not None and found.tenant == tenant:
            return key
    return None
