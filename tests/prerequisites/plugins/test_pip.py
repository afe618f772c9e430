"""The pip plugin installs into the task role's kernel, from a real package index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tests.prerequisites.helpers import render, run_script, write_job

from envyard.errors import SpecError
from envyard.spec.environment import Environment
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

ENV = Environment(name="bare", image="docker.io/library/python:3.11-slim", kernel=[])


def test_installs_into_the_activated_kernel(tmp_path: Path, pypi_index: PypiIndex) -> None:
    name = unique_name("eydemo").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    path = write_job(
        tmp_path,
        f"""
        protocolVersion: 2
        name: pip-job
        prerequisites:
          - name: deps
            type: script
            plugin: pip
            packages: ["{name}==1.0"]
            index_url: {pypi_index.url}
        taskRoles:
          r:
            environment: bare
            prerequisites: [deps]
            commands:
              - python -c "import {name}, sys; print(sys.prefix == '$VIRTUAL_ENV')"
        """,
    )
    boot = render(path, env=ENV)
    assert boot.pip_requirements == (f"{name}==1.0",)
    script = boot.script
    assert script.index("envyard_kernel || exit") < script.index(
        "kernelReady envyard_p1_kernelReady_1"
    )
    env = pypi_index.isolated_env({"ENVYARD_KERNEL_CACHE": str(tmp_path / "kc")})
    env["PATH"] = os.environ["PATH"]
    done = run_script(script, tmp_path / "w", env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


@pytest.mark.parametrize(
    ("params", "message"),
    [("packages: []", "needs packages"), ("packages: ['--pre']", "is an option")],
)
def test_bad_parameters(tmp_path: Path, params: str, message: str) -> None:
    path = write_job(
        tmp_path,
        f"""
        protocolVersion: 2
        name: pip-job
        prerequisites:
          - {{name: deps, type: script, plugin: pip, {params}}}
        taskRoles:
          r: {{prerequisites: [deps], commands: [echo]}}
        """,
    )
    with pytest.raises(SpecError, match=message):
        render(path)
