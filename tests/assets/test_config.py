from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings, load_asset_settings
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
