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


def test_settings_are_frozen_values(tmp_path: Path) -> None:
    """A plain class (no dataclasses import on the re-launch path) that behaves as the frozen
    dataclass it replaced: compared and hashed by value, immutable, copied and pickled."""
    import copy
    import pickle

    import pytest

    from envyard.settings import Settings

    env = {"ENVYARD_HOME": str(tmp_path), "ENVYARD_TOKEN": "t", "ENVYARD_DATA_ROOTS": "/d"}
    settings = load_settings(env)
    assert settings == load_settings(env)
    assert hash(settings) == hash(load_settings(env))
    assert settings != load_settings({**env, "ENVYARD_TOKEN": "other"})
    assert Settings(tmp_path, "sqlite://", None, "t", None) == Settings(
        home=tmp_path, db_url="sqlite://", url=None, token="t", target=None, data_roots=()
    )
    with pytest.raises(AttributeError):
        settings.home = tmp_path
    assert copy.deepcopy(settings) == settings
    assert pickle.loads(pickle.dumps(settings)) == settings  # noqa: S301 (our own bytes)
    assert settings.data_roots == (Path("/d"),)
