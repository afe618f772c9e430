"""envyard.testing.pypi / wheels: pypiserver with wheels built by the test, used by uv and pip."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex
from envyard.testing.wheels import build_wheel, wheel_filename

pytestmark = pytest.mark.slow


def _run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False, timeout=240)
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_wheel_is_valid_and_reproducible(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "a", "My.Pkg", "2.0.0rc1", requires=["other>=1"])
    again = build_wheel(tmp_path / "b", "My.Pkg", "2.0.0rc1", requires=["other>=1"])
    assert wheel.name == "my_pkg-2.0.0rc1-py3-none-any.whl" == wheel_filename("my-pkg", "2.0.0rc1")
    assert wheel.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read("my_pkg-2.0.0rc1.dist-info/METADATA").decode()
        assert "Version: 2.0.0rc1" in metadata
        assert "Requires-Dist: other>=1" in metadata
        record = archive.read("my_pkg-2.0.0rc1.dist-info/RECORD").decode().splitlines()
        for line in record:
            path, digest, size = line.rsplit(",", 2)
            if not digest:
                assert path.endswith("RECORD")
                continue
            data = archive.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == f"sha256={expected.decode()}"
            assert int(size) == len(data)


def test_index_lists_prereleases(pypi_index: PypiIndex) -> None:
    name = unique_name("listed")
    pypi_index.add_wheel(name, "1.0.0")
    pypi_index.add_wheel(name, "2.0.0rc1")
    response = httpx.get(f"{pypi_index.url}{name}/", trust_env=False)
    assert response.status_code == 200
    stem = name.replace("-", "_")
    assert f"{stem}-1.0.0-py3-none-any.whl" in response.text
    assert f"{stem}-2.0.0rc1-py3-none-any.whl" in response.text
    assert "#sha256=" in response.text


def test_unknown_package_is_not_redirected_to_pypi(pypi_index: PypiIndex) -> None:
    response = httpx.get(f"{pypi_index.url}requests/", trust_env=False)
    assert response.status_code == 404


def test_isolated_env_drops_machine_config(pypi_index: PypiIndex) -> None:
    env = pypi_index.isolated_env(
        {"PATH": "/usr/bin", "PIP_FIND_LINKS": "/opt/wheels", "UV_EXTRA_INDEX_URL": "x"}
    )
    assert "PIP_FIND_LINKS" not in env
    assert "UV_EXTRA_INDEX_URL" not in env
    assert env["PIP_CONFIG_FILE"] == "/dev/null"
    assert env["UV_NO_CONFIG"] == "1"
    assert env["PIP_INDEX_URL"] == env["UV_INDEX_URL"] == pypi_index.url


def test_uv_installs_from_the_index(fresh_pypi_index: PypiIndex, tmp_path: Path) -> None:
    index = fresh_pypi_index
    index.add_wheel("envyard-dep", "1.5")
    index.add_wheel("envyard-demo", "1.0", requires=["envyard-dep>=1"])
    index.add_wheel("envyard-demo", "2.0.0rc1", requires=["envyard-dep>=1"])
    env = index.isolated_env()
    venv = tmp_path / "venv"
    uv = [sys.executable, "-m", "uv"]
    _run([*uv, "venv", "--no-config", "--python", sys.executable, str(venv)], env)
    python = str(venv / "bin" / "python")
    install = [*uv, "pip", "install", "--no-config", "--index-url", index.url, "--python", python]

    _run([*install, "envyard-demo"], env)
    probe = (
        "import envyard_demo, envyard_dep; print(envyard_demo.__version__, envyard_dep.__version__)"
    )
    assert _run([python, "-c", probe], env).split() == ["1.0", "1.5"]

    _run([*install, "--prerelease", "allow", "--upgrade", "envyard-demo"], env)
    assert _run([python, "-c", probe], env).split() == ["2.0.0rc1", "1.5"]


def test_pip_downloads_a_prerelease(fresh_pypi_index: PypiIndex, tmp_path: Path) -> None:
    fresh_pypi_index.add_wheel("envyard-pre", "1.0")
    fresh_pypi_index.add_wheel("envyard-pre", "2.0.0rc1")
    dest = tmp_path / "downloads"
    argv = [sys.executable, "-m", "pip", "download", "--isolated", "--no-deps", "--pre"]
    argv += ["--index-url", fresh_pypi_index.url, "--dest", str(dest), "envyard-pre"]
    _run(argv, fresh_pypi_index.isolated_env())
    assert [p.name for p in dest.iterdir()] == ["envyard_pre-2.0.0rc1-py3-none-any.whl"]
