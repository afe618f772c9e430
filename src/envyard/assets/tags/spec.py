"""Spec tags (``{{asset.*}}``, ``{{image.*}}``): values from the asset's own config and git."""

from __future__ import annotations

import os
import re
from pathlib import Path

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.model import Asset

SPEC_TAGS = (
    "asset.name",
    "asset.version",
    "asset.repo.url",
    "asset.repo.commit_hash",
    "asset.repo.build_context.path",
    "image.name",
    "image.context.path",
    "image.dockerfile.path",
    "image.publish.hostname",
)

LOCATION_HOSTNAMES = {"mcr": "mcr.microsoft.com"}
"""The publish locations azureml-assets knows and their registry hosts (its
``config.PUBLISH_LOCATION_HOSTNAMES``); ``[assets] publish_hostnames`` adds to and overrides
them."""


def publish_hostname(settings: AssetSettings, location: str) -> str:
    """The registry host ``image.publish.location`` names: the configured ``publish_hostnames``
    entry, else the host azureml-assets maps the alias to (``mcr`` -> ``mcr.microsoft.com``),
    else the location as written (a host of its own)."""
    configured = settings.publish_hostnames.get(location)
    return configured if configured is not None else LOCATION_HOSTNAMES.get(location, location)


def spec_tag_values(
    asset: Asset,
    settings: AssetSettings,
    *,
    version: str | None = None,
    repo_url: str = "",
    commit: str = "",
) -> dict[str, str]:
    """Values of every spec tag for ``asset`` (released ``version``, repo URL and commit)."""
    values = {
        "asset.name": asset.name,
        "asset.version": version or asset.version or "auto",
        "asset.repo.url": repo_url,
        "asset.repo.commit_hash": commit,
        "asset.repo.build_context.path": "",
        "image.name": "",
        "image.context.path": "",
        "image.dockerfile.path": "",
        "image.publish.hostname": "",
    }
    env = asset.env
    if env is not None:
        values["image.name"] = env.image.name
        if env.image.publish is not None:
            values["image.publish.hostname"] = publish_hostname(
                settings, env.image.publish.location
            )
        context = asset.context_dir
        if context is not None and env.image.context is not None:
            values["asset.repo.build_context.path"] = asset.rel(context)
            spec_dir = asset.spec_path.parent if asset.spec_path else asset.dir
            values["image.context.path"] = Path(os.path.relpath(context, spec_dir)).as_posix()
            values["image.dockerfile.path"] = env.image.context.dockerfile
    return values


_OURS = re.compile(r"(?<!\$)\{\{\s*((?:asset|image)\.[\w.]+)\s*\}\}")


def render_spec_tags(text: str, values: dict[str, str]) -> str:
    """``text`` with every spec tag of ours replaced; AzureML's ``${{...}}``, other tools'
    braces and unknown names stay as written (validation reports those)."""
    return _OURS.sub(lambda m: values.get(m.group(1), m.group(0)), text)
