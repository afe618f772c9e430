"""The kinds of an asset repository's files (``asset.yaml`` and the type-specific configs).

Asset discovery validates thousands of these and needs no other kind's models.
"""

from __future__ import annotations

from envyard.spec.asset import (
    AssetConfig,
    AssetEnvironmentConfig,
    AssetModelConfig,
    AssetStorageConfig,
    check_unknown,
)
from envyard.spec.kind import Kind

ASSET = Kind(
    "asset",
    AssetConfig,
    "asset.yaml of an asset repository.",
    filenames=("asset.yaml", "asset.yml"),
    detect=lambda d: "type" in d and "spec" in d,
    check=check_unknown,
)
ASSET_ENVIRONMENT = Kind(
    "asset-environment",
    AssetEnvironmentConfig,
    "environment.yaml of an environment asset (image build and publish settings).",
    detect=lambda d: (
        isinstance(d.get("image"), dict)
        and any(k in d["image"] for k in ("name", "context", "publish"))
    ),
    check=check_unknown,
)
ASSET_MODEL = Kind(
    "asset-model",
    AssetModelConfig,
    "model.yaml of a model asset (where the model files are, how it is published).",
    detect=lambda d: isinstance(d.get("path"), dict) and isinstance(d.get("publish"), dict),
    check=check_unknown,
)
ASSET_STORAGE = Kind(
    "asset-storage",
    AssetStorageConfig,
    "storage.yaml of a data, prompt or other generic asset (where its files are).",
    detect=lambda d: set(d) <= {"path", "$schema"} and isinstance(d.get("path"), dict),
    check=check_unknown,
)
EXTRA_CONFIG_KINDS = {"environment": ASSET_ENVIRONMENT, "model": ASSET_MODEL}


def extra_config_kind(asset_type: str) -> Kind:
    """The kind of an asset's ``extra_config`` file, by asset type."""
    return EXTRA_CONFIG_KINDS.get(asset_type, ASSET_STORAGE)
