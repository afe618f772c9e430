"""Real ``conda env export`` files lock with conda's meaning, against a real local channel
(built and indexed with rattler, no conda, no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.launch.kernelspec import KernelSpec, kernel_spec
from envyard.locking.resolve import _match_spec, lock_kernel
from envyard.spec import Environment
from envyard.testing.conda_channel import CondaChannel, conda_channel, isolated_conda_env

__all__ = ["conda_channel"]


def _spec(channels: list[str], deps: list[object]) -> KernelSpec:
    kernel = {"name": "ck", "channels": channels, "dependencies": deps}
    spec = kernel_spec(Environment.model_validate({"name": "c", "image": "x:1", "kernel": kernel}))
    assert spec is not None
    return spec


def _env(tmp_path: Path) -> dict[str, str]:
    return isolated_conda_env(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def _locked(lock_platform: object) -> dict[str, str]:
    return {p.name: f"{p.version}={p.build}" for p in lock_platform.conda}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "line",
    [
        "tinyconda=1.0=0",
        "python=3.11.9=h955ad1f_0",
        "_libgcc_mutex=0.1=conda_forge",
        "numpy=1.17.*=py38_0",
        "numpy=1.8*=py27*",
        "six=1.16",
        "six=1.*",
        "six>=1.16",
    ],
)
def test_export_lines_mean_what_rattler_parses_them_to(line: str) -> None:
    from rattler import MatchSpec

    # rattler's parser implements conda's MatchSpec rules; ours must give the same spec
    assert str(MatchSpec(_match_spec(line))) == str(MatchSpec(line))


def test_an_export_line_with_a_build_locks_that_exact_build(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    conda_channel.add_package("tinyconda", "1.0", build="0")
    conda_channel.add_package("tinyconda", "1.0", build="1")
    conda_channel.add_package("tinyconda", "1.0.1", build="0")
    conda_channel.add_package("other", "2.0", build="abc_0")
    spec = _spec([conda_channel.url], ["tinyconda=1.0=0", "other=2.0=abc_0"])
    lock = lock_kernel(spec, env=_env(tmp_path))
    assert _locked(lock.platforms["linux-64"]) == {"tinyconda": "1.0=0", "other": "2.0=abc_0"}
    # conda's fuzzy `=`: 1.0.* is the newest 1.0 build, 1.0.1 included
    fuzzy = lock_kernel(_spec([conda_channel.url], ["tinyconda=1.0"]), env=_env(tmp_path))
    assert _locked(fuzzy.platforms["linux-64"]) == {"tinyconda": "1.0.1=0"}


def test_nodefaults_names_no_channel(conda_channel: CondaChannel, tmp_path: Path) -> None:
    from envyard.errors import ResolveError
    from envyard.locking.config import channel_urls

    conda_channel.add_package("tinyconda", "1.0")
    # ENVYARD_CONDA_DEFAULTS points at a host that does not resolve: adding it would fail
    env = {**_env(tmp_path), "ENVYARD_CONDA_DEFAULTS": "https://defaults.invalid/main"}
    lock = lock_kernel(_spec([conda_channel.url, "nodefaults"], ["tinyconda=1.0"]), env=env)
    assert lock.channels == (conda_channel.url.rstrip("/"),)
    assert _locked(lock.platforms["linux-64"]) == {"tinyconda": "1.0=0"}
    assert channel_urls(["conda-forge", "nodefaults"], {}) == [
        "https://conda.anaconda.org/conda-forge"
    ]
    assert channel_urls([], env) == ["https://defaults.invalid/main"]  # no list: defaults
    with pytest.raises(ResolveError, match=r"name no channel to take tinyconda=1\.0 from"):
        lock_kernel(_spec(["nodefaults"], ["tinyconda=1.0"]), env=env)
