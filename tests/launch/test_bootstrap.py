"""The bootstrap script run by the host's /bin/sh: activate, create, and refuse clearly."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import uv

from envyard.launch.bootstrap import bootstrap_text, installed_bootstrap
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex


def _run(boot: Path, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/sh", str(boot), *args], env=env, capture_output=True, text=True, check=False
    )


def _shell_kernel(prefix: Path) -> Path:
    (prefix / "bin").mkdir(parents=True)
    (prefix / "etc" / "conda" / "activate.d").mkdir(parents=True)
    hello = prefix / "bin" / "kernel-hello"
    hello.write_text('#!/bin/sh\necho "hello from $ENVYARD_KERNEL"\n', encoding="utf-8")
    hello.chmod(0o755)
    (prefix / "etc" / "conda" / "activate.d" / "m.sh").write_text(
        "export KERNEL_MARKER=activated\n", encoding="utf-8"
    )
    return prefix


def test_installed_copy_is_executable_and_identical(tmp_path: Path) -> None:
    boot = installed_bootstrap(tmp_path)
    assert os.access(boot, os.X_OK)
    assert boot.read_text(encoding="utf-8") == bootstrap_text()
    assert installed_bootstrap(tmp_path) == boot


def test_activates_a_kernel_from_the_kernels_dir(tmp_path: Path) -> None:
    _shell_kernel(tmp_path / "kernels" / "shellk")
    env = {"PATH": os.environ["PATH"], "ENVYARD_KERNELS_DIR": str(tmp_path / "kernels")}
    cmd = 'kernel-hello; echo "marker=${KERNEL_MARKER:-none} venv=$VIRTUAL_ENV"'
    out = _run(installed_bootstrap(tmp_path), ["--kernel", "shellk", "--", "sh", "-c", cmd], env)
    assert out.returncode == 0, out.stderr
    assert "hello from shellk" in out.stdout
    assert f"marker=activated venv={tmp_path / 'kernels' / 'shellk'}" in out.stdout
    assert "activated kernel 'shellk'" in out.stderr


def test_without_kernel_the_command_runs_unchanged(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"]}
    out = _run(installed_bootstrap(tmp_path), ["sh", "-c", 'echo "m=${KERNEL_MARKER:-none}"'], env)
    assert out.returncode == 0
    assert out.stdout == "m=none\n"


def test_creates_a_missing_kernel_with_uv(pypi_index: PypiIndex, tmp_path: Path) -> None:
    name = unique_name("boot").replace("-", "_")
    pypi_index.add_wheel(name, "2.3.4")
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "requirements.txt").write_text(f"{name}==2.3.4\n", encoding="utf-8")
    (spec / "conda-packages.txt").write_text("", encoding="utf-8")
    uv_dir = str(Path(uv.find_uv_bin()).parent)
    env = pypi_index.isolated_env()
    env.update(
        PATH=f"{uv_dir}{os.pathsep}{env['PATH']}",
        ENVYARD_KERNELS_DIR=str(tmp_path / "kernels"),
        ENVYARD_KERNEL_SPEC=str(spec),
    )
    code = f"import {name}; print('version', {name}.__version__)"
    out = _run(installed_bootstrap(tmp_path), ["--kernel", "made", "--", "python", "-c", code], env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "version 2.3.4\n"
    assert "creating kernel 'made' with uv" in out.stderr
    again = _run(
        installed_bootstrap(tmp_path), ["--kernel", "made", "--", "python", "-c", code], env
    )
    assert again.stdout == "version 2.3.4\n"
    assert "creating" not in again.stderr  # the kernel exists now: activated, not rebuilt


def test_conda_packages_without_conda_are_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "conda-packages.txt").write_text("numpy=1.26\n", encoding="utf-8")
    (spec / "environment.yml").write_text("dependencies: [numpy=1.26]\n", encoding="utf-8")
    sh_only = tmp_path / "bin"
    sh_only.mkdir()
    for tool in ("sh", "mkdir", "tr", "basename", "cat"):
        found = shutil.which(tool)
        assert found
        (sh_only / tool).symlink_to(found)
    env = {"PATH": str(sh_only), "ENVYARD_KERNELS_DIR": str(tmp_path / "k")}
    args = ["--kernel", "sci", "--kernel-spec", str(spec), "--", "true"]
    out = _run(installed_bootstrap(tmp_path), args, env)
    assert out.returncode == 127
    assert "needs conda packages (numpy=1.26" in out.stderr
    assert "micromamba" in out.stderr


def test_unknown_kernel_without_spec_and_missing_command(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "ENVYARD_KERNELS_DIR": str(tmp_path / "none")}
    boot = installed_bootstrap(tmp_path)
    out = _run(boot, ["--kernel", "ghost", "--", "true"], env)
    assert out.returncode == 127
    assert "kernel 'ghost' is not in this image" in out.stderr
    out = _run(boot, ["--kernel", "ghost"], env)
    assert out.returncode == 127
    assert "no command given" in out.stderr
