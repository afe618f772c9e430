from __future__ import annotations

from pathlib import Path

from envyard.settings import load_settings


def test_defaults_live_under_envyard_home(tmp_path: Path) -> None:
    settings = load_settings({"ENVYARD_HOME": str(tmp_path)})
    assert settings.db_url == f"sqlite:///{tmp_path / 'envyard.db'}"
    assert settings.kernel_cache == tmp_path / "kernels"
    assert settings.url is None


def test_the_token_never_shows_in_repr(tmp_path: Path) -> None:
    settings = load_settings({"ENVYARD_HOME": str(tmp_path), "ENVYARD_TOKEN": "s3cret-token"})
    assert settings.token == "s3cret-token"
    assert "s3cret" not in repr(settings)
