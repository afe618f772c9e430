"""The kinds of spec file Envyard reads, and how a file's kind is recognised.

Order of recognition: ``--kind``; a ``$schema`` ending in ``<kind>.schema.json``; the file
name (``asset.yaml``, ``targets.yaml``, ``notebooks.yaml``, ``release.json``); the content.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from envyard.spec.asset_kinds import ASSET, ASSET_ENVIRONMENT, ASSET_MODEL, ASSET_STORAGE
from envyard.spec.environment import Environment
from envyard.spec.job import JobSpec
from envyard.spec.jobchecks import check_job
from envyard.spec.kind import Kind
from envyard.spec.notebooks import NotebookFolderConfig, ReleaseJson
from envyard.spec.overrides import OverridesFile, TargetsFile, check_overrides, check_targets

__all__ = ["KINDS", "Kind", "detect_kind", "kind_by_name"]

_IMAGE_KEYS = ("image", "docker-image", "dockerImage", "docker_image", "vm_image", "vm-image")


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
        ASSET,
        ASSET_ENVIRONMENT,
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
            raw_check=check_overrides,
        ),
        Kind(
            "targets",
            TargetsFile,
            "targets.yaml: where work is submitted.",
            filenames=("targets.yaml", "targets.yml"),
            detect=lambda d: isinstance(d.get("targets"), list),
            check=check_targets,
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
        # Last: their content test (a ``path`` storage location) is the least specific.
        ASSET_MODEL,
        ASSET_STORAGE,
    )
}


_FOREIGN_SCHEMA = re.compile(
    r"(?:https?:)?//(?:azuremlschemas\.azureedge\.net|azureml|componentsdk\.blob\.core\.windows"
    r"\.net)/",
    re.IGNORECASE,
)
"""AzureML's schemas (``.../latest/environment.schema.json``, ``//azureml/sdk-2-0/...``): an
azureml-assets ``spec.yaml`` is AzureML's environment or component, not an Envyard spec."""


def detect_kind(path: PurePath, data: Any, *, guess: bool = True) -> Kind | None:
    """The kind of a parsed file, or None when nothing identifies it.

    With ``guess`` (a file the user named), a file whose keys fit one kind best is taken as
    that kind so its typos are reported; folder walks pass ``guess=False`` and skip such files.
    """
    schema = data.get("$schema") if isinstance(data, dict) else None
    foreign = isinstance(schema, str) and bool(_FOREIGN_SCHEMA.match(schema))
    if isinstance(schema, str) and not foreign:
        for kind in KINDS.values():
            if schema.rsplit("/", 1)[-1] == f"{kind.name}.schema.json":
                return kind
    for kind in KINDS.values():
        if path.name in kind.filenames:
            return kind
    if not isinstance(data, dict) or foreign:
        return None  # (an AzureML file whose keys look like an Envyard kind is still AzureML's)
    for kind in KINDS.values():
        if kind.detect is not None and kind.detect(data):
            return kind
    if not guess:
        return None
    stem = path.name.split(".")[0]
    if stem in KINDS and _fit(KINDS[stem], data) > 0:  # environment.yaml, job.yaml...
        return KINDS[stem]
    return _closest_kind(data)


def _fit(kind: Kind, data: dict[str, Any]) -> float:
    """How well the top-level keys fit a kind: 1 per known field, 0.5 per near miss."""
    import difflib

    from envyard.spec.diagnose import allowed_keys

    fields = allowed_keys(kind.model, ()) or []
    score = 0.0
    for key in data:
        if key in fields:
            score += 1
        elif difflib.get_close_matches(str(key), fields, n=1, cutoff=0.75):
            score += 0.5
    return score


def _closest_kind(data: dict[str, Any]) -> Kind | None:
    """The kind whose fields the file's top-level keys fit best, when one stands out."""
    scores = sorted(((_fit(k, data), k.name) for k in KINDS.values()), reverse=True)
    best, runner_up = scores[0], scores[1]
    if best[0] >= 1 and best[0] > runner_up[0]:
        return KINDS[best[1]]
    return None


def kind_by_name(name: str) -> Kind:
    from envyard.errors import ConfigError

    try:
        return KINDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown spec kind '{name}'", hint="known kinds: " + ", ".join(KINDS)
        ) from None
