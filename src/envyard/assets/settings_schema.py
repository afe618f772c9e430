"""The pydantic models of the ``[assets]`` settings: validation messages and JSON Schema.

``envyard.assets.config`` holds the settings as plain frozen dataclasses and checks ordinary
values itself (cheaply, and only where the verdict is certain); anything else - a wrong type,
an unknown key, a value pydantic would convert (``timeout = 10``, a rule as a table) - is
validated here, so errors and conversions are exactly pydantic's. Importing pydantic costs
~50 ms, which a command run over a clean repository no longer pays.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from envyard.assets.config import default_naming
from envyard.spec.base import SpecModel

Severity = Literal["error", "warning"]


class RuleSetting(SpecModel):
    enabled: bool = True
    severity: Severity | None = None


class NamingConfig(SpecModel):
    """Naming rules (AST006/AST017 environments, AST018 every asset); see assets.naming."""

    frameworks: list[str] = Field(default_factory=lambda: default_naming()["frameworks"])
    operating_systems: list[str] = Field(
        default_factory=lambda: default_naming()["operating_systems"]
    )
    accelerators: list[str] = Field(default_factory=lambda: default_naming()["accelerators"])
    invalid_strings: list[str] = Field(default_factory=lambda: default_naming()["invalid_strings"])
    forbidden_words: list[str] = Field(default_factory=lambda: default_naming()["forbidden_words"])
    non_model_forbidden_words: list[str] = Field(
        default_factory=lambda: default_naming()["non_model_forbidden_words"]
    )


class RegistryConfig(SpecModel):
    """How to reach one OCI registry host; secrets come from environment variables."""

    url: str | None = Field(default=None, description="Base URL (default: https://HOST).")
    username: str | None = None
    password_env: str | None = Field(default=None, description="Env var holding the password.")
    token_env: str | None = Field(default=None, description="Env var holding a bearer token.")


class AssetSettings(SpecModel):
    """Validates ``[assets]``; see :class:`envyard.assets.config.AssetSettings`."""

    image_prefix: str = "azureml/curated/"
    publish_locations: list[str] = Field(default_factory=list)
    publish_hostnames: dict[str, str] = Field(
        default_factory=dict, description="Publish location alias -> registry hostname."
    )
    visibilities: list[str] = Field(
        default_factory=lambda: ["public", "internal", "staging", "unlisted"]
    )
    required_spec_tags: list[str] = Field(default_factory=list)
    rules: dict[str, RuleSetting | Literal["off", "warning", "error"]] = Field(default_factory=dict)
    naming: NamingConfig = Field(default_factory=NamingConfig)
    mirrors: dict[str, str] = Field(default_factory=dict)
    registries: dict[str, RegistryConfig] = Field(default_factory=dict)
    index_urls: list[str] = Field(default_factory=list)
    find_links: list[str] = Field(
        default_factory=list,
        description="Flat pages or folders of distribution files (pip --find-links).",
    )
    no_index: bool = Field(default=False, description="Use find_links only (pip --no-index).")
    pin_digest: bool = False
    concurrency: int = Field(default=16, ge=1, le=256)
    tag_page_size: int = Field(default=1000, ge=1, description="Tags asked for per page.")
    retries: int = Field(default=4, ge=0, le=10)
    timeout: float = Field(default=30.0, gt=0)
    lock_file: str = "envyard.lock.json"
    release_tag_prefix: str = "environment"
