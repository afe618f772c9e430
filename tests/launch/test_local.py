"""The local engine against a real package index: uv kernels, the cache, installer errors."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from envyard.errors import ExecutionError, MissingDependencyError, ResolveError
from envyard.launch import LaunchRequest, kernel_spec, launch, materialise, plan_launch
from envyard.spec import Environment
from envyard.testing.conda_channel import CondaChannel, isolated_conda_env
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex
from envyard.testing.wheels import wheel_filename


def _environment(kernel: object, name: str = "demo") -> Environment:
    return Environment.model_validate({"name": name, "image": "busybox:1", "kernel": kernel})


def _request(
    env: Environment, command: list[str], cache: Path, base: dict[str, str]
) -> LaunchRequest:
    return LaunchRequest(
        environment=env, ref=f"{env.name}@1", command=tuple(command), env=base, cache_root=cache
    )


@pytest.fixture
def tiny(pypi_index: PypiIndex) -> str:
    """A wheel on the index whose module prints its __version__ (``4.5.6``)."""
    name = unique_name("tiny").replace("-", "_")
    pypi_index.add_wheel(name, "4.5.6")
    return name


def test_launch_runs_in_kernel_and_second_launch_reuses_it(
    pypi_index: PypiIndex, tiny: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    env = _environment([f"{tiny}==4.5.6"])
    base = pypi_index.isolated_env()
    code = (
        f"import {tiny}, sys, os; print('VERSION', {tiny}.__version__); print('PREFIX', sys.prefix)"
    )
    log1: list[str] = []
    assert launch(_request(env, ["python", "-c", code], tmp_path, base), log=log1.append) == 0
    first = capfd.readouterr().out
    assert "VERSION 4.5.6" in first
    assert any("installing 1 locked pip package" in line for line in log1)

    log2: list[str] = []
    assert launch(_request(env, ["python", "-c", code], tmp_path, base), log=log2.append) == 0
    second = capfd.readouterr().out
    assert "VERSION 4.5.6" in second
    assert not any("installing" in line or "creating" in line for line in log2)
    assert any(line.startswith("reusing kernel") for line in log2)
    prefix1 = next(line for line in first.splitlines() if line.startswith("PREFIX"))
    prefix2 = next(line for line in second.splitlines() if line.startswith("PREFIX"))
    assert prefix1 == prefix2
    published = [p for p in tmp_path.iterdir() if p.name.startswith("lock-")]
    assert len(published) == 1  # the kernel is cached by its lock hash
    assert published[0].resolve() == Path(prefix1.split(" ", 1)[1])


def test_exit_code_and_environment_are_passed_through(
    pypi_index: PypiIndex, tiny: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    env = _environment([f"{tiny}==4.5.6"])
    code = (
        "import os, sys; print(os.environ['VIRTUAL_ENV'], os.environ['ENVYARD_ENVIRONMENT']); "
        "sys.exit(7)"
    )
    request = _request(env, ["python", "-c", code], tmp_path, pypi_index.isolated_env())
    assert launch(request) == 7
    out = capfd.readouterr().out
    assert str(tmp_path / ".store") in out
    assert "demo@1" in out


def test_kernel_that_cannot_be_locked_names_the_requirement(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    missing = unique_name("absent")
    env = _environment([f"{missing}==1.0"])
    request = _request(env, ["python", "-c", "print(1)"], tmp_path, pypi_index.isolated_env())
    with pytest.raises(ResolveError) as info:
        launch(request)
    assert missing in str(info.value)  # uv's reason, not just "failed"
    assert "cannot be locked" in str(info.value)
    store = tmp_path / ".store"
    assert not store.exists() or not any(store.iterdir())  # nothing half-built is kept
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("lock-")]


def test_conda_kernel_plan_installs_with_rattler_not_a_conda_binary(
    conda_channel: CondaChannel, tmp_path: Path
) -> None:
    conda_channel.add_package("planpkg", "1.0")
    env = _environment({"channels": [conda_channel.url], "dependencies": ["planpkg"]})
    base = isolated_conda_env(tmp_path, {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    text = plan_launch(_request(env, ["true"], tmp_path / "cache", base)).render()
    assert "-m envyard.locking.rattler_child" in text
    assert "planpkg-1.0-0.tar.bz2" in text  # the exact file, from the lock
    assert "micromamba" not in text
    assert " create --yes" not in text


def test_kernel_python_version_picks_a_matching_local_interpreter(
    pypi_index: PypiIndex, tiny: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    other = "3.10" if sys.version_info[:2] != (3, 10) else "3.12"
    env = _environment({"dependencies": [f"python={other}", {"pip": [f"{tiny}==4.5.6"]}]})
    spec = kernel_spec(env)
    assert spec is not None
    try:
        kernel = materialise(spec, tmp_path, env=pypi_index.isolated_env())
    except MissingDependencyError as exc:
        pytest.skip(f"no local Python {other} on this machine: {exc}")
    assert kernel.kind == "venv"
    assert not kernel.reused
    request = _request(
        env, ["python", "-c", "import sys; print(sys.version)"], tmp_path, pypi_index.isolated_env()
    )
    assert launch(request) == 0
    assert capfd.readouterr().out.startswith(other)


def test_no_kernel_runs_the_command_as_is(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    env = Environment.model_validate({"name": "bare", "image": "busybox:1"})
    request = _request(env, [sys.executable, "-c", "print('bare ok')"], tmp_path, dict(os.environ))
    assert launch(request) == 0
    assert "bare ok" in capfd.readouterr().out
    assert not (tmp_path / ".store").exists()


def test_unknown_command_is_a_clear_error(pypi_index: PypiIndex, tiny: str, tmp_path: Path) -> None:
    env = _environment([f"{tiny}==4.5.6"])
    request = _request(env, ["no-such-program-xyz"], tmp_path, pypi_index.isolated_env())
    with pytest.raises(ExecutionError, match="no-such-program-xyz"):
        launch(request)


def test_conda_style_kernel_without_conda_packages_uses_uv_and_sets_variables(
    pypi_index: PypiIndex, tiny: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    if not (pypi_index.packages_dir / wheel_filename("pip", "24.0")).exists():
        pypi_index.add_wheel("pip", "24.0")  # the conda `pip` line is pip's pip here
    kernel = {
        "name": "pyonly",
        "dependencies": ["python", "pip", {"pip": [f"{tiny}==4.5.6"]}],
        "variables": {"TRAIN_MODE": "fast"},
    }
    env = _environment(kernel)
    code = (
        f"import os, pip, sys, {tiny}; print({tiny}.__version__, os.environ['TRAIN_MODE'], "
        "pip.__version__, pip.__file__.startswith(sys.prefix))"
    )
    request = _request(env, ["python", "-c", code], tmp_path, pypi_index.isolated_env())
    assert launch(request) == 0
    assert capfd.readouterr().out == "4.5.6 fast 24.0 True\n"


def test_rebuild_picks_up_a_new_release_of_an_unpinned_requirement(
    pypi_index: PypiIndex, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    name = unique_name("moving").replace("-", "_")
    pypi_index.add_wheel(name, "1.0.0")
    env = _environment([name])
    code = f"import {name}, sys; print({name}.__version__, sys.prefix)"
    base = pypi_index.isolated_env()

    def run(rebuild: bool = False) -> list[str]:
        request = LaunchRequest(
            env, "demo@1", ("python", "-c", code), base, tmp_path, rebuild=rebuild
        )
        assert launch(request) == 0
        return capfd.readouterr().out.split()

    first = run()
    assert first[0] == "1.0.0"
    pypi_index.add_wheel(name, "2.0.0")
    assert run() == first  # cached: the kernel does not change under running work
    rebuilt = run(rebuild=True)
    assert rebuilt[0] == "2.0.0"
    assert rebuilt[1] != first[1]
    assert run() == rebuilt  # the rebuilt kernel is the published one now


def test_activation_hooks_of_the_kernel_are_sourced(
    pypi_index: PypiIndex, tiny: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    env = _environment([f"{tiny}==4.5.6"])
    spec = kernel_spec(env)
    assert spec is not None
    kernel = materialise(spec, tmp_path, env=pypi_index.isolated_env())
    hooks = kernel.prefix / "etc" / "conda" / "activate.d"
    hooks.mkdir(parents=True)
    (hooks / "cuda.sh").write_text('export CUDA_HOME="$CONDA_PREFIX$VIRTUAL_ENV/cuda"\n', "utf-8")
    code = "import os; print(os.environ['CUDA_HOME'])"
    request = _request(env, ["python", "-c", code], tmp_path, pypi_index.isolated_env())
    assert launch(request) == 0
    assert capfd.readouterr().out == f"{kernel.prefix}/cuda\n"
