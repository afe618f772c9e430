"""Conda kernels with py-rattler: `defaults` mapped by a setting, channel mirrors, offline
installs from the package cache. Real channel (built, indexed, served over HTTP), no conda."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from envyard.errors import ExecutionError
from envyard.launch import kernel_spec, materialise
from envyard.launch.kernelspec import KernelSpec
from envyard.locking.resolve import lock_kernel
from envyard.spec import Environment
from envyard.testing.conda_channel import CondaChannel, isolated_conda_env


def _spec(channels: list[str], deps: list[str]) -> KernelSpec:
    kernel = {"name": "ck", "channels": channels, "dependencies": deps}
    spec = kernel_spec(Environment.model_validate({"name": "c", "image": "x:1", "kernel": kernel}))
    assert spec is not None
    return spec


def _version(prefix: Path, name: str) -> str:
    argv = [str(prefix / "bin" / f"{name}-version")]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def test_defaults_setting_and_a_mirror_keep_the_original_urls_in_the_lock(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    conda_channel.add_package("mirrored", "1.0")
    served = conda_channel.serve()
    upstream = "https://conda.upstream.invalid/team"  # never reached: the mirror answers
    env = isolated_conda_env(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    env["ENVYARD_CONDA_DEFAULTS"] = upstream
    env["ENVYARD_CONDA_MIRRORS"] = f"{upstream}={served}"
    spec = _spec(["defaults"], ["mirrored"])
    lock = lock_kernel(spec, env=env)
    assert lock.channels == (upstream,)
    (package,) = lock.platforms["linux-64"].conda
    assert package.url == f"{upstream}/noarch/mirrored-1.0-0.tar.bz2"
    kernel = materialise(spec, tmp_path / "kernels", env=env, lock=lock)
    assert _version(kernel.prefix, "mirrored") == "mirrored 1.0"


def test_offline_install_from_the_package_cache(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    conda_channel.add_package("cachedpkg", "3.1")
    served = conda_channel.serve()
    env = isolated_conda_env(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    spec = _spec([served], ["cachedpkg"])
    lock = lock_kernel(spec, env=env)
    materialise(spec, tmp_path / "first", env=env, lock=lock)
    conda_channel.stop()  # the channel is gone: only the package cache is left
    kernel = materialise(spec, tmp_path / "second", env=env, lock=lock)
    assert not kernel.reused
    assert _version(kernel.prefix, "cachedpkg") == "cachedpkg 3.1"

    empty = {**env, "ENVYARD_CONDA_PKGS": str(tmp_path / "empty-cache")}
    with pytest.raises(ExecutionError, match="cachedpkg"):
        materialise(spec, tmp_path / "third", env=empty, lock=lock)
