"""The kinds of spec file Envyard reads, and how a file's kind is recognised.

Order of recognition: ``--kind``; a ``$schema`` ending in ``<kind>.schema.json``; the file
name (``asset.yaml``, ``targets.yaml``, ``notebooks.yaml``, ``release.json``); the content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig
from envyard.spec.environment import Environment
from envyard.spec.findings import Finding
from envyard.spec.job import JobSpec
from envyard.spec.jobchecks import check_job
from envyard.spec.notebooks import NotebookFolderConfig, ReleaseJson
from envyard.spec.overrides import OverridesFile, TargetsFile, check_overrides

Check = Callable[[Any], list[Finding]]
_IMAGE_KEYS = ("image", "docker-image", "dockerImage", "docker_image", "vm_image", "vm-image")


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[BaseModel]
    summary: str
    filenames: tuple[str, ...] = ()
    detect: Callable[[dict[str, Any]], bool] | None = None
    check: Check | None = None


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "environment",
            Environment,
            "An environment in the registry: image, vm_image, kernel, tags.",
            detect=lambda d: (
                "name" in d
                and any(k in d for k in (*_IMAGE_KEYS, "kernel"))
                and not isinstance(d.get("image"), dict)
            ),
        ),
        Kind(
            "asset",
            AssetConfig,
            "asset.yaml of an asset repository.",
            filenames=("asset.yaml", "asset.yml"),
            detect=lambda d: "type" in d and "spec" in d,
        ),
        Kind(
            "asset-environment",
            AssetEnvironmentConfig,
            "environment.yaml of an environment asset (image build and publish settings).",
            detect=lambda d: isinstance(d.get("image"), dict),
        ),
        Kind(
            "job",
            JobSpec,
            "A job: OpenPAI protocol v2 with prerequisite callbacks.",
            detect=lambda d: "protocolVersion" in d or "taskRoles" in d,
            check=check_job,
        ),
        Kind(
            "overrides",
            OverridesFile,
            "A file with a tenant_overrides block (standalone or inside a pipeline YAML).",
            detect=lambda d: "tenant_overrides" in d,
            check=check_overrides,
        ),
        Kind(
            "targets",
            TargetsFile,
            "targets.yaml: where work is submitted.",
            filenames=("targets.yaml", "targets.yml"),
            detect=lambda d: isinstance(d.get("targets"), list),
        ),
        Kind(
            "notebook-config",
            NotebookFolderConfig,
            "notebooks.yaml: notebook-CI settings for a folder.",
            filenames=("notebooks.yaml", "notebooks.yml"),
        ),
        Kind(
            "notebook-release",
            ReleaseJson,
            "release.json: the seed's per-notebook CI settings.",
            filenames=("release.json",),
        ),
    )
}


def kind_names() -> list[str]:
    return list(KINDS)


def detect_kind(path: PurePath, data: Any) -> Kind | None:
    """The kind of a parsed file, or None when nothing identifies it."""
    if isinstance(data, dict):
        schema = data.get("$schema")
        if isinstance(schema, str):
            for kind in KINDS.values():
                if schema.rsplit("/", 1)[-1] == f"{kind.name}.schema.json":
                    return kind
    for kind in KINDS.values():
        if path.name in kind.filenames:
            return kind
    if not isinstance(data, dict):
        return None
    for kind in KINDS.values():
        if kind.detect is not None and kind.detect(data):
            return kind
    return None


def kind_by_name(name: str) -> Kind:
    from envyard.errors import ConfigError

    try:
        return KINDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown spec kind '{name}'", hint="known kinds: " + ", ".join(KINDS)
        ) from None
