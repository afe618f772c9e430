"""The ``[assets]`` settings: one pydantic model (``envyard.toml`` or ``pyproject.toml``).

Validation messages and the JSON Schema come from these models; ``envyard.assets.config``
finds the file and reports errors with its path and line.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import Field

from envyard.spec.base import SpecModel

Severity = Literal["error", "warning"]


def default_frameworks() -> list[str]:
    """Naming rule frameworks: the reference's."""
    return ["pytorch", "sklearn", "tensorflow"]


def default_naming() -> dict[str, list[str]]:
    """The naming word lists of the reference tool (azureml-assets validate_assets.py)."""
    return {
        "frameworks": default_frameworks(),
        "operating_systems": ["centos", "debian", "win"],
        "accelerators": ["cuda", "nccl"],
        "invalid_strings": ["ubuntu", "cpu"],
        "forbidden_words": ["azureml", "azure", "aml"],
        "non_model_forbidden_words": ["microsoft"],
    }


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

    def password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None

    def token(self) -> str | None:
        return os.environ.get(self.token_env) if self.token_env else None


class AssetSettings(SpecModel):
    """Validates ``[assets]``; see :class:`envyard.assets.config.AssetSettings`."""

    image_prefix: str = "azureml/curated/"
    exclude: list[str] = Field(
        default_factory=list,
        description="Folders discovery does not enter (from the repository root; globs allowed).",
    )
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

    def rule(self, rule_id: str) -> RuleSetting | None:
        """The configured setting of a rule, or None when the file does not mention it."""
        value = self.rules.get(rule_id)
        if value is None:
            return None
        if isinstance(value, RuleSetting):
            return value
        if value == "off":
            return RuleSetting(enabled=False)
        return RuleSetting(enabled=True, severity=value)

    def with_overrides(self, **changes: Any) -> AssetSettings:
        """A copy with CLI options applied (``None`` values are ignored)."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        for key, value in changes.items():
            if value is None:
                continue
            if isinstance(value, dict):
                data[key] = {**data.get(key, {}), **value}
            elif isinstance(value, list | tuple):
                data[key] = [*data.get(key, []), *value] if value else data.get(key, [])
            else:
                data[key] = value
        return AssetSettings.model_validate(data)
