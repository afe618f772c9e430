"""Issue 15's acceptance: each version installs its locked packages, with no conda binary.

An environment with an unpinned pip package (from a real pypiserver) and one with a conda
package (from a real local channel over HTTP) are created; newer versions of both packages are
published; both are launched from an empty kernel cache with no conda, mamba or micromamba on
PATH: each gets the version locked at creation. ``envyard env lock NAME`` names them, and
``env relock`` makes a new version that picks up the new releases (``env diff`` shows it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from envyard.testing.conda_channel import CondaChannel, isolated_conda_env
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

pytestmark = pytest.mark.slow


def _envyard(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envyard", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


def _no_conda_path(tmp_path: Path) -> str:
    """PATH with only the directories this test needs (python, sh), none holding a conda."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "cat", "env"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


@pytest.fixture
def cli_env(pypi_index: PypiIndex, tmp_path: Path) -> dict[str, str]:
    env = isolated_conda_env(tmp_path, pypi_index.isolated_env())
    env["ENVYARD_HOME"] = str(tmp_path / "home")
    env["PATH"] = _no_conda_path(tmp_path)
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL", "CONDA_EXE", "MAMBA_EXE"):
        env.pop(var, None)
    return env


def test_versions_install_their_locked_packages_without_conda(
    pypi_index: PypiIndex, conda_channel: CondaChannel, cli_env: dict[str, str], tmp_path: Path
) -> None:
    for tool in ("conda", "mamba", "micromamba"):
        assert shutil.which(tool, path=cli_env["PATH"]) is None
    pip_pkg = unique_name("sixlike").replace("-", "_")
    conda_pkg = unique_name("condalike").replace("_", "-")
    pypi_index.add_wheel(pip_pkg, "1.0")
    conda_channel.add_package(conda_pkg, "1.0")
    channel = conda_channel.serve()

    pip_env, conda_env = unique_name("pipenv"), unique_name("condaenv")
    (tmp_path / "pip.yaml").write_text(
        f"name: {pip_env}\nimage: localhost/base:1\nkernel:\n  - {pip_pkg}\n", encoding="utf-8"
    )
    (tmp_path / "conda.yaml").write_text(
        f"name: {conda_env}\nimage: localhost/base:1\nkernel:\n  channels: [{channel}]\n"
        f"  dependencies:\n    - {conda_pkg}\n",
        encoding="utf-8",
    )
    for spec in ("pip.yaml", "conda.yaml"):
        created = _envyard(["env", "create", "-f", str(tmp_path / spec)], cli_env)
        assert created.returncode == 0, created.stderr
        assert " lock=sha256:" in created.stdout

    pypi_index.add_wheel(pip_pkg, "2.0")  # newer releases of both, after the lock
    conda_channel.add_package(conda_pkg, "2.0")
    shutil.rmtree(tmp_path / "home" / "kernels", ignore_errors=True)  # an empty kernel cache

    code = f"import {pip_pkg}; print({pip_pkg}.__version__)"
    ran = _envyard(["env", "launch", pip_env, "--", "python", "-c", code], cli_env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "1.0"
    ran = _envyard(["env", "launch", conda_env, "--", f"{conda_pkg}-version"], cli_env)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == f"{conda_pkg} 1.0"
    assert "py-rattler" in ran.stderr

    shown = _envyard(["env", "lock", pip_env], cli_env)
    assert shown.returncode == 0, shown.stderr
    assert f"{pip_pkg.replace('_', '-')}==1.0  pip" in shown.stdout
    shown = _envyard(["env", "lock", conda_env, "--format", "json"], cli_env)
    lock = json.loads(shown.stdout)["lock"]
    (package,) = lock["platforms"]["linux-64"]["conda"]
    assert (package["name"], package["version"]) == (conda_pkg, "1.0")
    assert package["url"] == f"{channel}/noarch/{conda_pkg}-1.0-0.tar.bz2"
    assert len(package["sha256"]) == 64

    relocked = _envyard(["env", "relock", conda_env], cli_env)
    assert relocked.returncode == 0, relocked.stderr
    assert f"relocked {conda_env}@2" in relocked.stdout
    diff = _envyard(["env", "diff", f"{conda_env}@1", conda_env], cli_env)
    assert diff.returncode == 1, diff.stderr  # like diff(1): 1 when they differ
    assert f"^ {conda_pkg} 1.0 -> 2.0 (upgraded, conda)" in diff.stdout
    ran = _envyard(["env", "launch", f"{conda_env}@1", "--", f"{conda_pkg}-version"], cli_env)
    assert ran.stdout.strip() == f"{conda_pkg} 1.0"  # the old version keeps its lock
    assert os.environ.get("ENVYARD_HOME") != cli_env["ENVYARD_HOME"]


def test_unsatisfiable_conda_spec_names_package_and_constraint(
    conda_channel: CondaChannel, cli_env: dict[str, str], tmp_path: Path
) -> None:
    conda_channel.add_package("onlyone", "1.0")
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        f"name: bad\nimage: localhost/base:1\nkernel:\n  channels: [{conda_channel.url}]\n"
        "  dependencies:\n    - onlyone>=3\n",
        encoding="utf-8",
    )
    created = _envyard(["env", "create", "-f", str(spec)], cli_env)
    assert created.returncode == 1, created.stderr
    assert created.stderr.startswith("error:")
    assert "onlyone >=3" in created.stderr
    listed = _envyard(["env", "list"], cli_env)
    assert "bad" not in listed.stdout  # nothing is stored when the lock fails
