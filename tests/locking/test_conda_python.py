"""The ``python`` and ``pip`` lines of a conda file keep conda's meaning: ``pip``, ``pipx``,
``pip-tools`` are conda packages (only the ``pip:`` section is pip's), ``python>=3.8`` is the
newest Python it allows, and an export's ``python=3.11.9=<build>`` in a kernel whose conda part
is python and pip runs on a local 3.11 (never a hard 3.11.9). Real local conda channel and
pypiserver; real interpreters of this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envyard.errors import MissingDependencyError
from envyard.launch import materialise
from envyard.launch.interpreters import find_interpreter
from envyard.launch.kernelspec import KernelSpec, kernel_spec
from envyard.locking.resolve import lock_kernel
from envyard.registry.conda import read_conda_export
from envyard.spec import Environment
from envyard.testing.conda_channel import CondaChannel, conda_channel, isolated_conda_env

__all__ = ["conda_channel"]

ROOT = Path(__file__).resolve().parents[2]
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def _spec(kernel: object) -> KernelSpec:
    spec = kernel_spec(Environment.model_validate({"name": "c", "image": "x:1", "kernel": kernel}))
    assert spec is not None
    return spec


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    return isolated_conda_env(tmp_path, {**os.environ, "HOME": str(tmp_path)})


def _run(prefix: Path, *argv: str) -> str:
    done = subprocess.run([str(prefix / "bin" / argv[0]), *argv[1:]], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return done.stdout.strip()


def test_packages_named_like_pip_are_conda_packages(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    for name in ("tinyconda", "pipx", "pip-tools", "pipdeptree", "pip"):
        conda_channel.add_package(name, "1.0")
    deps = ["tinyconda=1.0", "pipx=1.0", "pip-tools", "pipdeptree", "pip"]
    spec = _spec({"channels": [conda_channel.url], "dependencies": deps})
    assert spec.conda == tuple(deps)
    env = _env(tmp_path)
    lock = lock_kernel(spec, env=env)
    locked = {p.name for p in lock.platforms["linux-64"].conda}
    assert locked == {"tinyconda", "pipx", "pip-tools", "pipdeptree", "pip"}
    kernel = materialise(spec, tmp_path / "kernels", env=env, lock=lock)
    assert _run(kernel.prefix, "pipx-version") == "pipx 1.0"
    assert _run(kernel.prefix, "pip-version") == "pip 1.0"


def test_python_range_in_a_conda_kernel_is_the_newest_it_allows(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    for version in ("3.8.18", "3.12.1", "3.13.0"):
        conda_channel.add_package("python", version)
    conda_channel.add_package("tinyconda", "1.0")
    env = _env(tmp_path)

    def locked_python(line: str) -> tuple[str, str | None]:
        kernel = {"channels": [conda_channel.url], "dependencies": [line, "tinyconda"]}
        lock = lock_kernel(_spec(kernel), env=env)
        versions = {p.name: p.version for p in lock.platforms["linux-64"].conda}
        return versions["python"], lock.python

    assert locked_python("python>=3.8") == ("3.13.0", "3.13")
    assert locked_python("python >=3.9,<3.13") == ("3.12.1", "3.12")
    assert locked_python("python=3.8") == ("3.8.18", "3.8")  # conda's fuzzy `=`: 3.8.*


def test_python_range_in_a_pip_kernel_is_the_newest_local_interpreter(
    locking_index: object, tmp_path: Path
) -> None:
    spec = _spec({"dependencies": ["python>=3.8", {"pip": ["six"]}]})
    assert spec.python is None and spec.python_spec == "python>=3.8"
    lock = lock_kernel(spec, cwd=tmp_path)
    assert lock.python is not None
    # Envyard's own interpreter is one that the range allows: the lock is never older
    assert tuple(map(int, lock.python.split("."))) >= sys.version_info[:2]
    assert find_interpreter(lock.python).version.startswith(lock.python + ".")
    try:
        older = find_interpreter("3.9")
    except MissingDependencyError:  # this machine has no 3.9
        pytest.skip("no local Python 3.9")
    below = lock_kernel(_spec({"dependencies": ["python<3.10", {"pip": ["six"]}]}), cwd=tmp_path)
    assert below.python == ".".join(older.version.split(".")[:2])


def test_the_readme_conda_export_locks_and_launches_with_its_own_pip(
    locking_index: object, tmp_path: Path
) -> None:
    kernel = read_conda_export(ROOT / "examples" / "environments" / "conda-export.yml")
    spec = _spec(kernel.model_dump(mode="json", exclude_none=True))
    assert spec.conda == ()  # python and pip only: a pip kernel on a local interpreter
    assert spec.pip == ("pip==24.0", "six==1.16.0")
    lock = lock_kernel(spec, cwd=tmp_path)
    assert lock.python == "3.11"  # the export's 3.11.9: any local 3.11, not exactly 3.11.9
    assert {p.name: p.version for p in lock.platforms["linux-64"].pip} == {
        "pip": "24.0",
        "six": "1.16.0",
    }
    if RUNNING != "3.11":
        pytest.skip("launching needs a local 3.11")
    kernel_dir = materialise(spec, tmp_path / "kernels", env=_env(tmp_path), lock=lock)
    code = "import pip, six, sys; print(pip.__version__, pip.__file__.startswith(sys.prefix))"
    assert _run(kernel_dir.prefix, "python", "-c", code) == "24.0 True"
