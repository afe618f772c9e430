"""The cached re-launch reads the SQLite registry with stdlib only and runs like the full path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envyard.launch.fastpath import cached_version
from envyard.settings import load_settings
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

CODE = (
    "import os, sys, {pkg}; print({pkg}.__version__, os.environ['ENVYARD_ENVIRONMENT'], "
    "os.environ['ENVYARD_KERNEL'], os.environ['TRAIN_MODE'], sys.prefix)"
)


def _envyard(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envyard", *args], env=env, capture_output=True, text=True,
        check=False, timeout=240,
    )  # fmt: skip


def test_second_launch_takes_the_fast_path_with_the_same_result(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    env = pypi_index.isolated_env()
    env["ENVYARD_HOME"] = str(tmp_path / "home")
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL"):
        env.pop(var, None)
    pkg, name = unique_name("fastpkg").replace("-", "_"), unique_name("fast")
    pypi_index.add_wheel(pkg, "1.2")
    spec = tmp_path / "fast.yaml"
    spec.write_text(
        f"name: {name}\nimage: x:1\nkernel:\n  name: fastk\n  dependencies:\n"
        f"    - pip: [{pkg}]\n  variables: {{TRAIN_MODE: quick}}\n",
        encoding="utf-8",
    )
    assert _envyard(["env", "create", "-f", str(spec)], env).returncode == 0
    settings = load_settings(env)
    assert cached_version(name, settings.db_url, settings.kernel_cache) is None  # not built yet

    code = CODE.format(pkg=pkg)
    first = _envyard(["env", "launch", name, "--", "python", "-c", code], env)
    assert first.returncode == 0, first.stderr
    found = cached_version(name, settings.db_url, settings.kernel_cache)
    assert found is not None
    assert (found.ref, found.kernel, found.variables) == (
        f"{name}@1",
        "fastk",
        {"TRAIN_MODE": "quick"},
    )
    second = _envyard(["env", "launch", name, "--", "python", "-c", code], env)
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert second.stdout.split()[:4] == ["1.2", f"{name}@1", "fastk", "quick"]
    assert cached_version(f"{name}@", settings.db_url, settings.kernel_cache) is None
    empty = _envyard(["env", "launch", f"{name}@", "--", "true"], env)  # as `env get` refuses it
    assert empty.returncode == 1 and "not a valid reference" in empty.stderr, empty.stderr

    assert _envyard(["env", "deprecate", name], env).returncode == 0
    warned = _envyard(["env", "launch", f"{name}@1", "--", "sh", "-c", "exit 7"], env)
    assert warned.returncode == 7
    assert f"warning: {name}@1 is deprecated" in warned.stderr


@pytest.mark.parametrize("ref", ["missing-env", "missing-env@3", "@1"])
def test_unknown_refs_leave_it_to_the_full_path(ref: str, tmp_path: Path) -> None:
    settings = load_settings({"ENVYARD_HOME": str(tmp_path)})
    assert cached_version(ref, settings.db_url, settings.kernel_cache) is None
