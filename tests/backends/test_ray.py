"""The Ray backend against a real local Ray head (one per test session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends.helpers import submission

from envyard.backends.ray import RayBackend
from envyard.errors import ConfigError
from envyard.spec.environment import Environment
from envyard.testing.plugin import unique_name
from envyard.testing.ports import free_port
from envyard.testing.pypi import PypiIndex
from envyard.testing.ray import RAY_ENV, RayHead

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def ray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in RAY_ENV.items():
        monkeypatch.setenv(key, value)


def test_instances_run_on_ray_with_kernel_packages_in_the_runtime_env(
    tmp_path: Path, ray_head: RayHead, pypi_index: PypiIndex
) -> None:
    name = unique_name("eyray").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    env = Environment(
        name="ray-kernel",
        image="docker.io/library/python:3.11-slim",
        kernel=[f"--index-url {pypi_index.url}", f"{name}==1.0"],
    )
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: on-ray
        secrets: {{token: ray-secret-value}}
        prerequisites:
          - name: prep
            type: script
            callbacks:
              - {{event: containerStart, commands: ["echo prepared"]}}
              - {{event: containerExit, commands: ["echo released"]}}
        taskRoles:
          worker:
            instances: 2
            environment: ray-kernel
            prerequisites: [prep]
            resourcePerInstance: {{cpu: 1}}
            commands:
              - python -c "import {name}; print('imported', '{name}')"
              - echo "index $ENVYARD_TASK_INDEX of $ENVYARD_TASK_COUNT token <% $secrets.token %>"
        """,
        envs=[env],
        kernel_mode="none",
    )
    assert "envyard_activate_kernel" not in sub.roles["worker"].script
    handle = RayBackend({"address": ray_head.address}).submit(sub)
    status = handle.wait(timeout=240)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert status.exit_code == 0
    for index in (0, 1):
        assert f"worker[{index}] prepared" in logs
        assert f"worker[{index}] imported {name}" in logs
        assert f"worker[{index}] index {index} of 2 token ***" in logs
        assert f"worker[{index}] released" in logs
    assert "ray-secret-value" not in logs
    again = RayBackend().attach(handle.to_dict())
    assert again.status().state == "succeeded"


def test_failure_and_cancel(tmp_path: Path, ray_head: RayHead) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: ray-fail
        taskRoles:
          bad: {resourcePerInstance: {cpu: 0}, commands: ["sh -c 'exit 4'"]}
          slow: {resourcePerInstance: {cpu: 0}, commands: ["sleep 300"]}
        """,
        kernel_mode="none",
    )
    handle = RayBackend({"address": ray_head.address}).submit(sub)
    handle.cancel()
    status = handle.wait(timeout=120)
    assert status.state in ("failed", "cancelled")
    assert status.exit_code not in (0, None)


def test_unreachable_address_is_a_clear_error(tmp_path: Path) -> None:
    address = f"http://127.0.0.1:{free_port()}"
    backend = RayBackend({"address": address})
    with pytest.raises(ConfigError, match=f"cannot reach the Ray cluster at {address}"):
        backend.preflight(None)


def test_conda_kernels_become_a_conda_runtime_env(tmp_path: Path) -> None:
    from envyard.backends.ray import _packages

    env = Environment.model_validate(
        {
            "name": "conda-kernel",
            "image": "docker.io/library/python:3.11-slim",
            "kernel": {
                "channels": ["conda-forge"],
                "dependencies": ["python=3.11", "numpy=1.26", {"pip": ["six==1.16.0"]}],
            },
        }
    )
    sub = submission(
        tmp_path,
        "protocolVersion: 2\nname: c\ntaskRoles:\n"
        "  r: {environment: conda-kernel, commands: [x]}\n",
        envs=[env],
        kernel_mode="none",
    )
    assert _packages(sub.roles["r"]) == {
        "conda": {
            "channels": ["conda-forge"],
            "dependencies": ["python=3.11", "numpy=1.26", "pip", {"pip": ["six==1.16.0"]}],
        }
    }


def test_ray_installs_the_lock_not_the_newest_release(
    tmp_path: Path, ray_head: RayHead, pypi_index: PypiIndex
) -> None:
    """An unpinned requirement locked at 1.0 stays 1.0 on Ray after 2.0 is published."""
    from envyard.backends.locks import lock_of

    name = unique_name("eylock").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    env = Environment(
        name="ray-locked",
        image="docker.io/library/python:3.11-slim",
        kernel=[f"--index-url {pypi_index.url}", name],
    )
    lock = lock_of(env)  # what the version was locked to (kept for its spec)
    assert lock is not None
    pypi_index.add_wheel(name, "2.0")
    sub = submission(
        tmp_path,
        f"""
        protocolVersion: 2
        name: locked-on-ray
        taskRoles:
          worker:
            environment: ray-locked
            resourcePerInstance: {{cpu: 0}}
            commands:
              - python -c "import importlib.metadata as m; print('got', m.version('{name}'))"
        """,
        envs=[env],
        kernel_mode="none",
    )
    (package,) = lock.platforms["linux-64"].pip
    expected = f"{package.name}==1.0 --hash=sha256:{package.wheels[0].sha256}"
    from envyard.backends.ray import _packages

    assert _packages(sub.roles["worker"], lock) == {
        "pip": {"packages": [f"--index-url {pypi_index.url}", expected], "pip_check": False}
    }
    handle = RayBackend({"address": ray_head.address}).submit(sub)
    status = handle.wait(timeout=240)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert "worker[0] got 1.0" in logs
