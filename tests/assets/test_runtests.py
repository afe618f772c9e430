"""``envyard asset test``: pytest in a uv environment built from the local package index."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.assets.build.tests import isolated_env, run_asset_tests
from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.cli.main import run
from envyard.errors import NotFoundError, SpecError
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

from .conftest import env_asset, write


def _asset_with_tests(root: Path, lib: str, assertion: str) -> Path:
    folder = env_asset(
        root,
        "tested-debian11",
        extra_asset=(
            "test:\n  pytest:\n    enabled: true\n    pip_requirements: tests/requirements.txt\n"
            "    tests_dir: tests\n"
        ),
    )
    write(folder, "tests/requirements.txt", f"{lib}=={{{{latest-pypi-version}}}}\n")
    module = lib.replace("-", "_")
    write(
        folder,
        "tests/test_env.py",
        f"import {module}\n\n\ndef test_lib():\n    assert {assertion}\n",
    )
    return folder


def test_runs_pytest_with_the_requirements(tmp_path: Path, index_with_pytest: PypiIndex) -> None:
    lib = unique_name("lib")
    index_with_pytest.add_wheel(lib, "1.0.0")
    index_with_pytest.add_wheel(lib, "2.0.0")
    module = lib.replace("-", "_")
    folder = _asset_with_tests(tmp_path, lib, f"{module}.__version__ == '2.0.0'")
    asset = discover([folder], tmp_path).assets[0]
    settings = AssetSettings(index_urls=[index_with_pytest.url])
    env = {"UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    result = run_asset_tests(asset, settings, env=env)
    assert result.exit_code == 0, result.output
    assert "1 passed" in result.output


def test_a_failing_test_fails_the_command(
    tmp_path: Path,
    index_with_pytest: PypiIndex,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lib = unique_name("lib")
    index_with_pytest.add_wheel(lib, "1.0.0")
    _asset_with_tests(tmp_path, lib, "False")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    argv = ["asset", "test", "tested-debian11", "--repo", str(tmp_path)]
    assert run([*argv, "--index-url", index_with_pytest.url]) == 1
    assert "1 failed" in capsys.readouterr().out


def test_machine_pip_settings_are_ignored() -> None:
    env = isolated_env(
        "http://i/simple/", {"PIP_FIND_LINKS": "/opt/wheels", "UV_INDEX": "x", "PATH": "/bin"}
    )
    assert "PIP_FIND_LINKS" not in env and "UV_INDEX" not in env
    assert env["PIP_CONFIG_FILE"] == "/dev/null"
    assert env["UV_NO_CONFIG"] == "1"
    assert env["UV_INDEX_URL"] == "http://i/simple/"


def test_an_asset_without_tests_is_an_error(tmp_path: Path) -> None:
    folder = env_asset(tmp_path, "plain-debian11")
    asset = discover([folder], tmp_path).assets[0]
    with pytest.raises(NotFoundError, match="no enabled pytest config"):
        run_asset_tests(asset, AssetSettings())


def test_a_tests_folder_outside_the_repository_is_refused(tmp_path: Path) -> None:
    """Validate reports it (AST013); `asset test` used to run pytest there all the same."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    write(outside, "test_x.py", "def test_x():\n    assert True\n")
    folder = env_asset(
        repo,
        "tested-debian11",
        extra_asset="test:\n  pytest:\n    enabled: true\n    tests_dir: ../../outside\n",
    )
    asset = discover([folder], repo).assets[0]
    with pytest.raises(SpecError, match="outside the repository"):
        run_asset_tests(asset, AssetSettings())
