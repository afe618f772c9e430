"""podman launches: the seed's ``IMAGE --kernel K -- CMD`` with Envyard's bootstrap.

Skipped, with the reason printed, where podman cannot run containers (see conftest.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envyard.errors import ConfigError, MissingDependencyError, PluginError
from envyard.launch import LaunchRequest, launch, plan_launch
from envyard.spec import Environment
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

from .conftest import Podman

# one worker runs these: the session's server/images are started once
pytestmark = pytest.mark.xdist_group("podman")


def _request(
    image: str, kernel: object, command: list[str], cache: Path, env: dict[str, str], **kw: object
) -> LaunchRequest:
    environment = Environment.model_validate({"name": "ctr", "image": image, "kernel": kernel})
    return LaunchRequest(
        environment=environment,
        ref="ctr@1",
        command=tuple(command),
        env=env,
        cache_root=cache,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman is not installed")
def test_plan_is_image_kernel_command_on_no_network(tmp_path: Path) -> None:
    import os

    kernel = {"name": "shellk", "dependencies": ["python=3.11"], "variables": {"MODE": "fast"}}
    request = _request("localhost/x:1", kernel, ["python", "train.py"], tmp_path, dict(os.environ))
    (step,) = plan_launch(request, "podman").steps
    argv = list(step.argv)
    assert argv[1:3] == ["run", "--rm"]
    assert argv[argv.index("--network") + 1] == "none"
    assert argv[argv.index("--entrypoint") + 1] == "/envyard/bootstrap.sh"
    assert "MODE=fast" in argv
    tail = argv[argv.index("localhost/x:1") :]
    assert tail == ["localhost/x:1", "--kernel", "shellk", "--", "python", "train.py"]
    assert not (tmp_path / "bootstrap").exists()  # planning writes nothing


def test_environment_without_image_is_refused(tmp_path: Path) -> None:
    environment = Environment.model_validate({"name": "vm", "vm_image": "ami-1"})
    request = LaunchRequest(environment, "vm@1", ("true",), {"PATH": "/usr/bin:/bin"}, tmp_path)
    with pytest.raises(ConfigError, match="has no image"):
        launch(request, "podman")


def test_container_launch_prints_from_inside_the_activated_kernel(
    podman: Podman, shell_kernel_image: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    kernel = {"name": "shellk", "dependencies": []}
    cmd = ["sh", "-c", 'kernel-hello; echo "marker=${KERNEL_MARKER:-missing}"']
    request = _request(shell_kernel_image, kernel, cmd, tmp_path, podman.env)
    assert launch(request, "podman") == 0
    out = capfd.readouterr()
    print(out.out, out.err)
    assert "hello from kernel shellk" in out.out
    assert "marker=activated" in out.out
    assert "activated kernel 'shellk'" in out.err


def test_image_entrypoint_bootstrap_and_exit_code(
    podman: Podman, shell_kernel_image: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """An image whose ENTRYPOINT is the bootstrap (the docs' Dockerfile lines) works as is."""
    from envyard.launch.bootstrap import installed_bootstrap

    tag = f"localhost/envyard-entry-{unique_name('i')}:test"
    ctr = f"envyard-build-{unique_name('c')}"
    boot = installed_bootstrap(tmp_path)
    podman.run("create", "--name", ctr, shell_kernel_image, "true")
    try:
        podman.run("cp", str(boot), f"{ctr}:/envyard-bootstrap.sh")
        podman.run(
            "commit", "--quiet", "--change", 'ENTRYPOINT ["/envyard-bootstrap.sh"]', ctr, tag
        )
    finally:
        podman.run("rm", "--force", ctr, check=False)
    try:
        kernel = {"name": "shellk", "dependencies": []}
        cmd = ["sh", "-c", 'echo "marker=${KERNEL_MARKER:-missing}"; exit 3']
        request = _request(tag, kernel, cmd, tmp_path, podman.env, use_image_entrypoint=True)
        assert launch(request, "podman") == 3
        assert "marker=activated" in capfd.readouterr().out
    finally:
        podman.run("rmi", "--force", tag, check=False)


def test_bootstrap_creates_the_kernel_inside_the_container(
    podman: Podman,
    python_image: str,
    pypi_index: PypiIndex,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    name = unique_name("ctr").replace("-", "_")
    pypi_index.add_wheel(name, "7.8.9")
    code = f"import {name}, sys; print('inside', {name}.__version__, sys.prefix)"
    request = _request(
        python_image,
        [f"{name}==7.8.9"],
        ["python", "-c", code],
        tmp_path,
        pypi_index.isolated_env(podman.env),  # the kernel is locked here first
        network="host",  # the package index is on the host's 127.0.0.1
        env_vars=(f"UV_INDEX_URL={pypi_index.url}", "UV_NO_CONFIG=1", "UV_CACHE_DIR=/tmp/uv"),
    )
    assert launch(request, "podman") == 0
    out = capfd.readouterr()
    assert "inside 7.8.9 /opt/envyard/kernels/ctr" in out.out, out.err
    assert "creating kernel 'ctr' with uv" in out.err


def test_docker_plan_has_the_same_shape_and_a_missing_tool_is_named(
    tmp_path: Path, pypi_index: PypiIndex
) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    docker = fake_bin / "docker"
    docker.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    docker.chmod(0o755)
    package = unique_name("dkr").replace("-", "_")
    pypi_index.add_wheel(package, "1.16.0")  # the plan locks the kernel (from this index)
    kernel = [f"{package}==1.16.0"]
    env = pypi_index.isolated_env({"PATH": str(fake_bin)})
    request = _request("x/y:1", kernel, ["python", "-V"], tmp_path, env)
    (step,) = plan_launch(request, "docker").steps
    assert step.argv[0] == str(docker)
    assert step.argv[-6:] == ("x/y:1", "--kernel", "ctr", "--", "python", "-V")
    assert "--network" in step.argv
    assert step.argv[step.argv.index("--network") + 1] == "none"
    empty = pypi_index.isolated_env({"PATH": str(tmp_path / "empty")})
    nothing = _request("x/y:1", kernel, ["true"], tmp_path, empty)
    with pytest.raises(MissingDependencyError, match="docker is not installed"):
        launch(nothing, "docker")


def test_unknown_engine_lists_the_known_ones(tmp_path: Path) -> None:
    request = _request("x/y:1", None, ["true"], tmp_path, {"PATH": "/usr/bin:/bin"})
    with pytest.raises(PluginError, match="container, docker, local, podman"):
        launch(request, "kubernetes")


def test_the_bootstrap_installs_the_lock_not_the_newest_release(
    podman: Podman,
    python_image: str,
    pypi_index: PypiIndex,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """An unpinned requirement locked at 1.0 gets 1.0 in the container after 2.0 is out."""
    from envyard.backends.locks import lock_of

    name = unique_name("ctrlock").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    env = pypi_index.isolated_env(podman.env)
    code = f"import {name}; print('inside', {name}.__version__)"
    request = _request(python_image, [name], ["python", "-c", code], tmp_path, env,
                       network="host", env_vars=("UV_CACHE_DIR=/tmp/uv",))  # fmt: skip
    lock = lock_of(request.environment, env, cache_root=tmp_path)  # made once, kept
    assert lock is not None
    pypi_index.add_wheel(name, "2.0")
    (step,) = plan_launch(request, "podman").steps
    spec_dir = Path(
        next(v for v in step.argv if v.endswith(":/envyard/kernel-spec:ro")).split(":")[0]
    )
    assert launch(request, "podman") == 0
    out = capfd.readouterr()
    assert "inside 1.0" in out.out, out.err
    pins = (spec_dir / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert pins[0] == f"--index-url {pypi_index.url}"
    assert pins[1].startswith(f"{name.replace('_', '-')}==1.0 --hash=sha256:")
