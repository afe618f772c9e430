"""Asset settings: ``[assets]`` in ``envyard.toml`` or ``[tool.envyard.assets]`` in pyproject.

Looked up from the repository root (the first of the two files found wins). Every key is
optional; an unknown key is an error that names the file and the key. Example::

    [assets]
    image_prefix = "curated/"             # AST008: image names start with this
    publish_locations = ["localhost:5000"] # AST009: allowed publish locations (empty: any)
    index_urls = ["http://127.0.0.1:8080/simple/"]   # {{latest-pypi-version}} (none: skipped)
    pin_digest = true                     # pin image tags as tag@sha256:...

    [assets.rules]
    AST007 = "error"                      # off | warning | error (AST007 is opt-in)
    AST006 = { severity = "warning" }

    [assets.mirrors]                      # registry host -> where to ask instead
    "mcr.microsoft.com" = "127.0.0.1:5000"

    [assets.registries."127.0.0.1:5000"]  # credentials (read from env vars, never stored)
    username = "ci"
    password_env = "REGISTRY_PASSWORD"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from envyard.errors import ConfigError
from envyard.spec.base import SpecModel

Severity = Literal["error", "warning"]
CONFIG_FILES = ("envyard.toml", "pyproject.toml")


class RuleSetting(SpecModel):
    enabled: bool = True
    severity: Severity | None = None


class NamingConfig(SpecModel):
    """Environment naming convention (rule AST006): ``<words/frameworks>-<os>-<py>-<gpu>``."""

    frameworks: list[str] = Field(
        default_factory=lambda: [
            "pytorch",
            "tensorflow",
            "sklearn",
            "lightgbm",
            "xgboost",
            "onnxruntime",
            "deepspeed",
            "transformers",
            "jax",
        ]
    )
    operating_systems: list[str] = Field(
        default_factory=lambda: ["ubuntu", "debian", "centos", "rhel", "alpine", "win"]
    )
    accelerators: list[str] = Field(default_factory=lambda: ["cuda", "nccl", "rocm"])
    invalid_strings: list[str] = Field(default_factory=lambda: ["cpu", "default", "latest"])


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
    image_prefix: str = "curated/"
    publish_locations: list[str] = Field(default_factory=list)
    publish_hostnames: dict[str, str] = Field(
        default_factory=dict, description="Publish location alias -> registry hostname."
    )
    visibilities: list[str] = Field(
        default_factory=lambda: ["public", "internal", "staging", "unlisted"]
    )
    required_spec_tags: list[str] = Field(default_factory=lambda: ["OS", "Python"])
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
        data = self.model_dump()
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


def find_config(start: Path) -> Path | None:
    """The settings file that applies to ``start``: walk up to the filesystem root."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for folder in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and _has_section(candidate):
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def _has_section(path: Path) -> bool:
    if path.name == "envyard.toml":
        return True
    text = path.read_text(encoding="utf-8", errors="replace")
    return "[tool.envyard" in text


def _section(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("envyard", {})
    section = data.get("assets", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'assets' must be a table")
    return section


def _key_line(path: Path, key: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip().strip('"')
        if stripped.startswith((key, f'"{key}"')) or f".{key}]" in line:
            return number
    return 0


def load_asset_settings(start: Path) -> AssetSettings:
    """Settings for the repository containing ``start`` (defaults when no file exists)."""
    path = find_config(start)
    if path is None:
        return AssetSettings()
    return parse_settings(_section(path), path)


def parse_settings(section: dict[str, Any], path: Path) -> AssetSettings:
    try:
        return AssetSettings.model_validate(section)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(
            str(p) for p in err["loc"] if not str(p).startswith(("function", "literal"))
        )
        line = _key_line(path, str(err["loc"][-1])) if err["loc"] else 0
        at = f"{path}:{line}" if line else str(path)
        raise ConfigError(
            f"{at}: assets.{where}: {err['msg']}",
            hint="see docs/assets.md for the [assets] settings",
        ) from None


def model_fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)
