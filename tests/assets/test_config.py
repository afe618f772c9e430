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


@pytest.mark.parametrize(
    ("section", "fragment"),
    [
        ({"rules": {"AST006": "loud"}}, "assets.rules.AST006"),
        ({"concurrency": 0}, "assets.concurrency"),
        ({"image_prefx": "x/"}, "assets.image_prefx"),
        ({"index_urls": "http://one/"}, "assets.index_urls"),
    ],
)
def test_bad_settings_name_the_key(
    tmp_path: Path, section: dict[str, object], fragment: str
) -> None:
    from envyard.assets.config import parse_settings

    (tmp_path / "envyard.toml").write_text("[assets]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        parse_settings(section, tmp_path / "envyard.toml")
    assert fragment in info.value.message


def test_settings_convert_as_the_model_says() -> None:
    settings = AssetSettings.model_validate({"timeout": 10, "rules": {"AST010": "off"}})
    assert settings.timeout == 10.0
    assert settings.rule("AST010") == RuleSetting(enabled=False)


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
