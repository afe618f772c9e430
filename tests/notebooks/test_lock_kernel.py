"""Issue 15: a notebook kernel from a registry environment installs the version's stored lock.

A real pypiserver holds an unpinned package at 1.0 when the environment is created (locked);
2.0 is published after; ``envyard nb test --env NAME`` from an empty kernel cache runs the
notebook on 1.0, in a kernel installed from the lock (cached by lock hash) with ipykernel
beside it, not in it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

pytestmark = pytest.mark.slow


def test_nb_test_env_installs_the_versions_stored_lock(
    pypi_index: PypiIndex, envyard_home: Path, tmp_path: Path
) -> None:
    package = unique_name("sixlike").replace("-", "_")
    pypi_index.add_wheel(package, "1.0")
    env = pypi_index.isolated_env({k: v for k, v in os.environ.items()
                                   if not k.startswith(("PIP_", "UV_"))})  # fmt: skip
    env["ENVYARD_HOME"] = str(envyard_home)
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL"):
        env.pop(var, None)
    name = unique_name("nblocked")
    spec = tmp_path / "env.yaml"
    spec.write_text(f"name: {name}\nimage: localhost/base:1\nkernel:\n  - {package}\n", "utf-8")

    def envyard(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "envyard", *args],
            env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip

    created = envyard("env", "create", "-f", str(spec))
    assert created.returncode == 0, created.stderr
    assert " lock=sha256:" in created.stdout
    locked = json.loads(envyard("env", "lock", name, "--format", "json").stdout)
    lock_hash = locked["lock_hash"]
    pypi_index.add_wheel(package, "2.0")  # a newer release, after the lock
    shutil.rmtree(envyard_home / "kernels", ignore_errors=True)  # an empty kernel cache

    write_notebook(
        tmp_path / "nbs" / "locked.ipynb",
        f"import {package}\nassert {package}.__version__ == '1.0', {package}.__version__",
        "import ipykernel, os\nprint(os.environ['ENVYARD_KERNEL_PREFIX'])",
    )
    extra = unique_name("extralike").replace("-", "_")
    pypi_index.add_wheel(extra, "3.1")
    write_notebook(  # a notebook's extra pip requirement: beside the lock, never over it
        tmp_path / "nbs" / "extra.ipynb",
        f"import {extra}, {package}\nassert ({extra}.__version__, {package}.__version__) == "
        "('3.1', '1.0')",
    )
    (tmp_path / "nbs" / "notebooks.yaml").write_text(
        f"notebooks:\n  extra.ipynb:\n    pip: ['{extra}']\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    ran = envyard("nb", "test", "--env", name, "--output-dir", str(out), "nbs")
    assert ran.returncode == 0, (ran.stdout, ran.stderr)
    saved = json.loads((out / "nbs" / "locked.ipynb").read_text(encoding="utf-8"))
    prefix = Path("".join(saved["cells"][1]["outputs"][0]["text"]).strip())
    # the kernel is the lock installed as is (its cache key is the lock hash), no ipykernel in it
    assert prefix.name.startswith("lock-" + lock_hash.removeprefix("sha256:")[:32])
    site = next(prefix.glob("lib/python3*/site-packages"))
    assert (site / package / "__init__.py").is_file()
    assert not list(site.glob("ipykernel*"))
    assert not list(site.glob(f"{package}-2.0*"))
