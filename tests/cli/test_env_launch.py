"""``envyard env launch`` end to end: registry environment -> uv kernel -> command, cached."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex


def _envyard(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envyard", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )


@pytest.fixture
def cli_env(pypi_index: PypiIndex, tmp_path: Path) -> dict[str, str]:
    env = pypi_index.isolated_env()
    env["ENVYARD_HOME"] = str(tmp_path / "home")
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL"):
        env.pop(var, None)
    return env


def _create(tmp_path: Path, env: dict[str, str], name: str, kernel: str) -> None:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(f"name: {name}\nimage: localhost/base:1\nkernel:\n{kernel}", encoding="utf-8")
    created = _envyard(["env", "create", "-f", str(spec)], env)
    assert created.returncode == 0, created.stderr


def test_launch_twice_reuses_the_kernel(
    pypi_index: PypiIndex, cli_env: dict[str, str], tmp_path: Path
) -> None:
    pkg = unique_name("clitiny").replace("-", "_")
    pypi_index.add_wheel(pkg, "3.1.4")
    name = unique_name("launchme")
    _create(tmp_path, cli_env, name, f"  - {pkg}==3.1.4\n")
    code = f"import {pkg}, sys; print({pkg}.__version__); print(sys.prefix)"

    first = _envyard(["env", "launch", name, "--", "python", "-c", code], cli_env)
    assert first.returncode == 0, first.stderr
    version, prefix = first.stdout.split()
    assert version == "3.1.4"
    assert prefix.startswith(str(tmp_path / "home" / "kernels"))
    assert "installing 1 locked pip package(s) with uv" in first.stderr

    second = _envyard(["env", "launch", f"{name}@1", "--", "python", "-c", code], cli_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == [version, prefix]
    assert "reusing kernel" in second.stderr
    assert "installing" not in second.stderr

    failing = _envyard(
        ["env", "launch", name, "--", "python", "-c", "raise SystemExit(9)"], cli_env
    )
    assert failing.returncode == 9

    plan = _envyard(["env", "launch", "--dry-run", name, "--", "python", "train.py"], cli_env)
    assert plan.returncode == 0
    assert "# engine: local" in plan.stdout
    assert f"cached at {prefix}" in plan.stdout
    assert plan.stdout.rstrip().endswith("python train.py")


def test_launch_errors_are_one_clear_line(
    pypi_index: PypiIndex, cli_env: dict[str, str], tmp_path: Path
) -> None:
    unknown = _envyard(["env", "launch", unique_name("nope"), "--", "true"], cli_env)
    assert unknown.returncode == 1
    assert "not found" in unknown.stderr

    missing = unique_name("not-on-index")
    spec = tmp_path / "broken.yaml"
    spec.write_text(f"name: broken\nimage: localhost/base:1\nkernel:\n  - {missing}==1.0\n")
    broken = _envyard(["env", "launch", "-f", str(spec), "--", "python", "-V"], cli_env)
    assert broken.returncode == 1
    assert broken.stderr.startswith("error:")
    assert missing in broken.stderr  # the resolver's own reason is shown
    assert "Traceback" not in broken.stderr

    name = unique_name("bare")
    _create(tmp_path, cli_env, name, "  []\n")
    no_cmd = _envyard(["env", "launch", name], cli_env)
    assert no_cmd.returncode == 2
    assert "no command given" in no_cmd.stderr


def test_launch_from_a_spec_file(cli_env: dict[str, str], tmp_path: Path) -> None:
    spec = tmp_path / "bare.yaml"
    spec.write_text("name: bare\nimage: localhost/base:1\n", encoding="utf-8")
    out = _envyard(
        ["env", "launch", "-f", str(spec), "--", "sh", "-c", "echo $ENVYARD_ENVIRONMENT"], cli_env
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == "bare\n"


def test_concurrent_launches_share_one_build(
    pypi_index: PypiIndex, cli_env: dict[str, str], tmp_path: Path
) -> None:
    pkg = unique_name("racer").replace("-", "_")
    pypi_index.add_wheel(pkg, "1.0.0")
    spec = tmp_path / "race.yaml"
    spec.write_text(f"name: race\nimage: x/y:1\nkernel:\n  - {pkg}==1.0.0\n", encoding="utf-8")
    code = f"import {pkg}, sys; print(sys.prefix)"
    argv = [sys.executable, "-m", "envyard", "env", "launch", "-f", str(spec), "--"]
    procs = [
        subprocess.Popen(
            [*argv, "python", "-c", code],
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [proc.communicate(timeout=240) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0], [err for _, err in results]
    assert len({out for out, _ in results}) == 1  # one kernel, the same path for all
    builds = sum(err.count("installing 1 locked pip package") for _, err in results)
    assert builds == 1
    store = tmp_path / "home" / "kernels" / ".store"
    assert len(list(store.iterdir())) == 1
