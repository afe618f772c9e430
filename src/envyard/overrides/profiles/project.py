"""Where a project keeps its overrides and targets when the command line does not say.

In the working directory, first match wins:

- overrides (the YAML holding ``tenant_overrides``): ``envyard.toml`` ``[overrides] file =``;
  then ``pipeline.yaml`` / ``pipeline.yml`` / ``overrides.yaml`` / ``overrides.yml`` that hold a
  ``tenant_overrides`` block.
- targets: ``envyard.toml`` ``[overrides] targets =``; then ``targets.yaml`` / ``targets.yml``.

Paths in ``envyard.toml`` are relative to that file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from envyard.errors import ConfigError

OVERRIDES_NAMES = ("pipeline.yaml", "pipeline.yml", "overrides.yaml", "overrides.yml")
TARGETS_NAMES = ("targets.yaml", "targets.yml")


def _project_setting(cwd: Path, name: str) -> Path | None:
    config = cwd / "envyard.toml"
    if not config.is_file():
        return None
    try:
        data: dict[str, Any] = tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"envyard.toml: {exc}", hint="fix the TOML syntax") from None
    section = data.get("overrides", {})
    value = section.get(name) if isinstance(section, dict) else None
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"envyard.toml [overrides] {name} must be a path string")
    path = cwd / value
    if not path.is_file():
        raise ConfigError(
            f"envyard.toml [overrides] {name} = '{value}' does not exist",
            hint="the path is relative to envyard.toml",
        )
    return path


def find_overrides_file(cwd: Path) -> Path | None:
    """The project's overrides file, or None."""
    configured = _project_setting(cwd, "file")
    if configured is not None:
        return configured
    for name in OVERRIDES_NAMES:
        path = cwd / name
        if path.is_file() and "tenant_overrides" in path.read_text(
            encoding="utf-8", errors="replace"
        ):
            return path
    return None


def find_targets_file(cwd: Path) -> Path | None:
    """The project's targets file, or None."""
    configured = _project_setting(cwd, "targets")
    if configured is not None:
        return configured
    return next((cwd / n for n in TARGETS_NAMES if (cwd / n).is_file()), None)
