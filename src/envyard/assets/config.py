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

import dataclasses
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, cast

from envyard.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import BaseModel

Severity = Literal["error", "warning"]
CONFIG_FILES = ("envyard.toml", "pyproject.toml")

Checker = Callable[[Any], bool]


def _is_str(value: Any) -> bool:
    return type(value) is str


def _is_opt_str(value: Any) -> bool:
    return value is None or type(value) is str


def _is_bool(value: Any) -> bool:
    return type(value) is bool


def _is_strs(value: Any) -> bool:
    return type(value) is list and all(type(v) is str for v in value)


def _is_str_map(value: Any) -> bool:
    return type(value) is dict and all(type(k) is str and type(v) is str for k, v in value.items())


def _int_range(low: int, high: int | None = None) -> Checker:
    return lambda v: type(v) is int and v >= low and (high is None or v <= high)


def _map_of(kind: type) -> Checker:
    return lambda v: (
        type(v) is dict and all(type(k) is str and isinstance(item, kind) for k, item in v.items())
    )


class _Checked:
    """Frozen settings dataclasses that validate like their pydantic twins.

    ``CHECKS`` says, per field, which values are certainly valid and stay as they are.
    Anything else goes through the pydantic model of the same name in
    ``envyard.assets.settings_schema``: its ValidationError, or its converted values.
    """

    CHECKS: ClassVar[dict[str, Checker]] = {}

    def __post_init__(self) -> None:
        if all(check(getattr(self, name)) for name, check in self.CHECKS.items()):
            return
        validated = type(self).model_validate(self.model_dump())
        for name in self.CHECKS:
            object.__setattr__(self, name, getattr(validated, name))

    @classmethod
    def checked(cls, data: Any) -> Self | None:
        """``data`` as this class when every value is certainly valid as it is, else None."""
        if isinstance(data, dict) and set(data) <= set(cls.CHECKS):
            values = {k: _plain(v) for k, v in data.items()}
            if all(cls.CHECKS[k](v) for k, v in values.items()):
                return cls(**values)
        return None

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """Validate ``data`` (a mapping such as a TOML table): pydantic's errors and values."""
        fast = cls.checked(data)
        if fast is not None:
            return fast
        from envyard.assets import settings_schema

        model = getattr(settings_schema, cls.__name__).model_validate(data)
        return cast("Self", _light(model))

    def model_dump(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _plain(value: Any) -> Any:
    """Containers copied (a settings object never shares a caller's list)."""
    if type(value) is list:
        return list(value)
    if type(value) is dict:
        return dict(value)
    return value


def _dump(value: Any) -> Any:
    if isinstance(value, _Checked):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _light(model: BaseModel) -> Any:
    """The dataclass twin of a validated pydantic settings model (nested ones too).

    Built without ``__post_init__``: the values are pydantic's, already validated.
    """
    cls = _TWINS[type(model).__name__]
    out = cls.__new__(cls)
    for name in cls.CHECKS:
        value = getattr(model, name)
        if isinstance(value, dict):
            value = {k: _light(v) if _is_model(v) else v for k, v in value.items()}
        elif _is_model(value):
            value = _light(value)
        object.__setattr__(out, name, value)
    return out


def _is_model(value: Any) -> bool:
    return type(value).__name__ in _TWINS and not isinstance(value, _Checked)


@dataclass(frozen=True)
class RuleSetting(_Checked):
    enabled: bool = True
    severity: Severity | None = None

    CHECKS: ClassVar[dict[str, Checker]] = {
        "enabled": _is_bool,
        "severity": lambda v: v is None or v in ("error", "warning"),
    }


def default_frameworks() -> list[str]:
    """Naming rule frameworks (the pydantic schema shares this list): the reference's."""
    return ["pytorch", "sklearn", "tensorflow"]


def default_naming() -> dict[str, list[str]]:
    """The naming word lists of the reference tool (the pydantic schema shares them)."""
    return {
        "frameworks": default_frameworks(),
        "operating_systems": ["centos", "debian", "win"],
        "accelerators": ["cuda", "nccl"],
        "invalid_strings": ["ubuntu", "cpu"],
        "forbidden_words": ["azureml", "azure", "aml"],
        "non_model_forbidden_words": ["microsoft"],
    }


@dataclass(frozen=True)
class NamingConfig(_Checked):
    """Naming rules (AST006/AST017 environments, AST018 every asset); see assets.naming."""

    frameworks: list[str] = field(default_factory=lambda: default_naming()["frameworks"])
    operating_systems: list[str] = field(
        default_factory=lambda: default_naming()["operating_systems"]
    )
    accelerators: list[str] = field(default_factory=lambda: default_naming()["accelerators"])
    invalid_strings: list[str] = field(default_factory=lambda: default_naming()["invalid_strings"])
    forbidden_words: list[str] = field(default_factory=lambda: default_naming()["forbidden_words"])
    non_model_forbidden_words: list[str] = field(
        default_factory=lambda: default_naming()["non_model_forbidden_words"]
    )

    CHECKS: ClassVar[dict[str, Checker]] = {
        "frameworks": _is_strs,
        "operating_systems": _is_strs,
        "accelerators": _is_strs,
        "invalid_strings": _is_strs,
        "forbidden_words": _is_strs,
        "non_model_forbidden_words": _is_strs,
    }


@dataclass(frozen=True)
class RegistryConfig(_Checked):
    """How to reach one OCI registry host; secrets come from environment variables."""

    url: str | None = None
    username: str | None = None
    password_env: str | None = None
    token_env: str | None = None

    CHECKS: ClassVar[dict[str, Checker]] = {
        "url": _is_opt_str,
        "username": _is_opt_str,
        "password_env": _is_opt_str,
        "token_env": _is_opt_str,
    }

    def password(self) -> str | None:
        return os.environ.get(self.password_env) if self.password_env else None

    def token(self) -> str | None:
        return os.environ.get(self.token_env) if self.token_env else None


def _rule_value(value: Any) -> bool:
    return isinstance(value, RuleSetting) or (type(value) is str and value in _RULE_WORDS)


_RULE_WORDS = ("off", "warning", "error")


@dataclass(frozen=True)
class AssetSettings(_Checked):
    """``[assets]``: every key optional (see the module docstring and docs/assets.md)."""

    image_prefix: str = "azureml/curated/"
    publish_locations: list[str] = field(default_factory=list)
    publish_hostnames: dict[str, str] = field(default_factory=dict)
    """Publish location alias -> registry hostname."""
    visibilities: list[str] = field(
        default_factory=lambda: ["public", "internal", "staging", "unlisted"]
    )
    required_spec_tags: list[str] = field(default_factory=list)
    rules: dict[str, RuleSetting | Literal["off", "warning", "error"]] = field(default_factory=dict)
    naming: NamingConfig = field(default_factory=NamingConfig)
    mirrors: dict[str, str] = field(default_factory=dict)
    registries: dict[str, RegistryConfig] = field(default_factory=dict)
    index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    """Flat pages or folders of distribution files (pip --find-links)."""
    no_index: bool = False
    """Use find_links only (pip --no-index)."""
    pin_digest: bool = False
    concurrency: int = 16
    tag_page_size: int = 1000
    """Tags asked for per page."""
    retries: int = 4
    timeout: float = 30.0
    lock_file: str = "envyard.lock.json"
    release_tag_prefix: str = "environment"

    CHECKS: ClassVar[dict[str, Checker]] = {
        "image_prefix": _is_str,
        "publish_locations": _is_strs,
        "publish_hostnames": _is_str_map,
        "visibilities": _is_strs,
        "required_spec_tags": _is_strs,
        "rules": lambda v: (
            type(v) is dict and all(type(k) is str and _rule_value(x) for k, x in v.items())
        ),
        "naming": lambda v: isinstance(v, NamingConfig),
        "mirrors": _is_str_map,
        "registries": _map_of(RegistryConfig),
        "index_urls": _is_strs,
        "find_links": _is_strs,
        "no_index": _is_bool,
        "pin_digest": _is_bool,
        "concurrency": _int_range(1, 256),
        "tag_page_size": _int_range(1),
        "retries": _int_range(0, 10),
        "timeout": lambda v: type(v) is float and v > 0,
        "lock_file": _is_str,
        "release_tag_prefix": _is_str,
    }

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
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
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


_TWINS: dict[str, type[_Checked]] = {
    c.__name__: c for c in (RuleSetting, NamingConfig, RegistryConfig, AssetSettings)
}


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
    fast = AssetSettings.checked(section)
    if fast is not None:
        return fast
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


def model_fields(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


__all__ = [
    "CONFIG_FILES",
    "AssetSettings",
    "NamingConfig",
    "RegistryConfig",
    "RuleSetting",
    "Severity",
    "find_config",
    "load_asset_settings",
    "model_fields",
    "parse_settings",
]
