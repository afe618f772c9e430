from pathlib import Path

import pytest

from envyard.assets.config import (
    AssetSettings,
    NamingConfig,
    RegistryConfig,
    RuleSetting,
    load_asset_settings,
)
from envyard.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    settings = load_asset_settings(tmp_path)
    assert settings == AssetSettings()
    assert settings.rule("AST007") is None


def test_envyard_toml(tmp_path: Path) -> None:
    (tmp_path / "envyard.toml").write_text(
        '[assets]\nimage_prefix = "team/"\nindex_urls = ["http://i/simple/"]\n'
        '[assets.rules]\nAST007 = "error"\nAST006 = { severity = "warning" }\nAST010 = "off"\n'
        '[assets.mirrors]\n"mcr.microsoft.com" = "127.0.0.1:5000"\n',
        encoding="utf-8",
    )
    settings = load_asset_settings(tmp_path / "sub")
    assert settings.image_prefix == "team/"
    assert settings.mirrors == {"mcr.microsoft.com": "127.0.0.1:5000"}
    assert settings.rule("AST007").severity == "error"  # type: ignore[union-attr]
    assert settings.rule("AST006").severity == "warning"  # type: ignore[union-attr]
    assert settings.rule("AST010").enabled is False  # type: ignore[union-attr]


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.envyard.assets]\npin_digest = true\n', encoding="utf-8"
    )
    assert load_asset_settings(tmp_path).pin_digest is True


def test_unknown_key_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "envyard.toml").write_text(
        "[assets]\nimage_prefix = 'x/'\nimage_prefx = 'y/'\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_asset_settings(tmp_path)
    assert f"{tmp_path / 'envyard.toml'}:3" in str(info.value)
    assert "image_prefx" in str(info.value)


def test_cli_overrides_merge() -> None:
    base = AssetSettings(mirrors={"a": "b"})
    merged = base.with_overrides(mirrors={"c": "d"}, index_urls=["u"], pin_digest=None)
    assert merged.mirrors == {"a": "b", "c": "d"}
    assert merged.index_urls == ["u"]


SETTINGS = [
    {},
    {"image_prefix": "azureml/curated/", "publish_locations": ["mcr"]},
    {"publish_hostnames": {"mcr": "mcr.microsoft.com"}, "rules": {"AST007": "error"}},
    {"concurrency": 256, "retries": 0, "timeout": 2.5, "pin_digest": True, "no_index": False},
    # pydantic decides: conversions and errors
    {"timeout": 10},
    {"rules": {"AST006": {"severity": "warning"}}},
    {"rules": {"AST006": "loud"}},
    {"naming": {"frameworks": ["jax"]}},
    {"registries": {"r:5000": {"username": "ci", "password_env": "P"}}},
    {"concurrency": 0},
    {"concurrency": True},
    {"timeout": 0.0},
    {"image_prefx": "x/"},
    {"index_urls": "http://one/"},
]


@pytest.mark.parametrize("section", SETTINGS)
def test_settings_agree_with_the_pydantic_model(section: dict[str, object]) -> None:
    from pydantic import ValidationError

    from envyard.assets import settings_schema

    try:
        expected = settings_schema.AssetSettings.model_validate(section).model_dump()
    except ValidationError:
        with pytest.raises(ValidationError):
            AssetSettings.model_validate(section)
        assert AssetSettings.checked(section) is None
        return
    got = AssetSettings.model_validate(section)
    assert got.model_dump() == expected
    assert AssetSettings(**section) == got  # type: ignore[arg-type]


def test_plain_settings_need_no_pydantic() -> None:
    checked = AssetSettings.checked({"image_prefix": "x/", "rules": {"AST010": "off"}})
    assert checked is not None
    assert checked.rule("AST010") == RuleSetting(enabled=False)
    assert AssetSettings.checked({"timeout": 10}) is None  # int -> float: pydantic converts


def test_overrides_keep_nested_settings() -> None:
    base = AssetSettings.model_validate(
        {"rules": {"AST006": {"severity": "warning"}}, "registries": {"h": {"username": "u"}}}
    )
    merged = base.with_overrides(mirrors={"a": "b"})
    assert merged.rule("AST006") == RuleSetting(enabled=True, severity="warning")
    assert merged.registries["h"] == RegistryConfig(username="u")
    assert isinstance(merged.naming, NamingConfig)


def test_wrong_type_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "envyard.toml").write_text(
        "[assets]\nimage_prefix = 'x/'\nconcurrency = 0\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_asset_settings(tmp_path)
    assert f"{tmp_path / 'envyard.toml'}:3: assets.concurrency" in str(info.value)
