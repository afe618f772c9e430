"""The two asset kinds (``asset.yaml``, an environment asset's ``environment.yaml``).

Asset discovery validates thousands of these and needs no other kind's models.
"""

from __future__ import annotations

from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig
from envyard.spec.kind import Kind

ASSET = Kind(
    "asset",
    AssetConfig,
    "asset.yaml of an asset repository.",
    filenames=("asset.yaml", "asset.yml"),
    detect=lambda d: "type" in d and "spec" in d,
)
ASSET_ENVIRONMENT = Kind(
    "asset-environment",
    AssetEnvironmentConfig,
    "environment.yaml of an environment asset (image build and publish settings).",
    detect=lambda d: (
        isinstance(d.get("image"), dict)
        and any(k in d["image"] for k in ("name", "context", "publish"))
    ),
)
