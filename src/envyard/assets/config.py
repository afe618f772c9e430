"""Asset settings: ``[assets]`` in ``envyard.toml`` or ``[tool.envyard.assets]`` in pyproject.

Looked up from the repository root (the first of the two files found wins). Every key is
optional; an unknown key is an error that names the file and the key. Example::

    [assets]
    image_prefix = "azureml/curated/"     # AST008: image names start with this
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

import tomllib
from pathlib import Path
from typing import Any

from envyard.assets.settings_schema import (
    AssetSettings,
    NamingConfig,
    RegistryConfig,
    RuleSetting,
    Severity,
    default_frameworks,
    default_naming,
)
from envyard.errors import ConfigError

CONFIG_FILES = ("envyard.toml", "pyproject.toml")


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


def has_settings_section(path: Path) -> bool:
    """Whether the settings file ``path`` configures Envyard."""
    return _has_section(path)


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
    from pydantic import ValidationError

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


__all__ = [
    "CONFIG_FILES",
    "AssetSettings",
    "NamingConfig",
    "RegistryConfig",
    "RuleSetting",
    "Severity",
    "default_frameworks",
    "default_naming",
    "find_config",
    "load_asset_settings",
    "parse_settings",
]
