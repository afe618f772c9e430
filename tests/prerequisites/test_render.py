"""The bootstrap renderer: order, signals, errors, per-instance variables, kernels."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from tests.prerequisites.helpers import render, run_script, write_job

from envyard.errors import NotFoundError, SpecError
from envyard.prerequisites.graph import start_order
from envyard.spec.environment import Environment
from envyard.spec.job import Prerequisite, TaskRole

LIFECYCLE = """
protocolVersion: 2
name: lifecycle
prerequisites:
  - name: outer
    type: script
    callbacks:
      - {event: containerStart, commands: ['echo start-outer >> effects']}
      - {event: onFailure, commands: ['echo failure-outer >> effects']}
      - {event: containerExit, commands: ['echo exit-outer >> effects']}
  - name: inner
    type: data
    require: [outer]
    callbacks:
      - {event: containerStart, commands: ['echo start-inner >> effects']}
      - {event: containerExit, commands: ['echo exit-inner >> effects']}
taskRoles:
  worker:
    prerequisites: [inner]
    commands:
      - echo started >> effects
      - sleep 60
"""


def test_exit_callbacks_run_after_a_signal(tmp_path: Path) -> None:
    boot = render(write_job(tmp_path, LIFECYCLE))
    work = tmp_path / "run"
    work.mkdir()
    (work / "bootstrap.sh").write_text(boot.script)
    proc = subprocess.Popen(
        ["bash", "bootstrap.sh"], cwd=work, start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    effects = work / "effects"
    deadline = time.monotonic() + 30
    while "started" not in (effects.read_text() if effects.exists() else ""):
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    err = ""
    for _ in range(30):  # like the local backend: TERM again while it has not exited (a TERM
        os.killpg(proc.pid, signal.SIGTERM)  # landing while bash forks a command can be lost)
        try:
            err = proc.communicate(timeout=1)[1]
            break
        except subprocess.TimeoutExpired:
            continue
    assert proc.returncode == 143
    assert effects.read_text().split() == [
        "start-outer", "start-inner", "started", "failure-outer", "exit-inner", "exit-outer",
    ]  # fmt: skip
    assert "received SIGTERM" in err


def test_instance_variables_default_and_can_be_set(tmp_path: Path) -> None:
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: vars
        taskRoles:
          trainer:
            instances: 4
            commands: ['echo "$ENVYARD_JOB_NAME $ENVYARD_TASK_ROLE $ENVYARD_TASK_INDEX/$ENVYARD_TASK_COUNT $PAI_TASK_ROLE_INSTANCE_COUNT"']
        """,  # noqa: E501
    )
    script = render(job).script
    assert run_script(script, tmp_path / "a").stdout == "vars trainer 0/4 4\n"
    done = run_script(script, tmp_path / "b", {"ENVYARD_TASK_INDEX": "3"})
    assert done.stdout == "vars trainer 3/4 4\n"


def test_unknown_plugin_lists_the_known_ones(tmp_path: Path) -> None:
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: plug
        prerequisites:
          - {name: thing, type: data, plugin: s3}
        taskRoles:
          r: {prerequisites: [thing], commands: [echo]}
        """,
    )
    with pytest.raises(SpecError) as info:
        render(job)
    assert "job.yaml:5:" in str(info.value)
    assert "prerequisites[0].plugin: prerequisite 'thing': unknown prerequisite plugin 's3'" in str(
        info.value
    )
    assert "cmd, data, docker, git, pip" in str(info.value)


def test_unknown_reference_names_prerequisite_field_and_line(tmp_path: Path) -> None:
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: refs
        prerequisites:
          - name: ds
            type: data
            where: here
            callbacks:
              - event: containerStart
                commands:
                  - echo ok
                  - echo <% this.uri %>
        taskRoles:
          r: {prerequisites: [ds], commands: [echo]}
        """,
    )
    with pytest.raises(SpecError) as info:
        render(job)
    text = str(info.value)
    assert ":12:" in text
    assert "prerequisites[0].callbacks[0].commands[1]" in text
    assert "<% this.uri %>: prerequisite 'ds' has no uri" in text


def test_catalogue_prerequisite_errors_name_it(tmp_path: Path) -> None:
    from envyard.jobs.load import load_job
    from envyard.jobs.plan import plan_job

    class Catalogue:
        def environment(self, ref: str) -> Environment:
            raise NotFoundError(ref)

        def prerequisite(self, name: str) -> Prerequisite:
            callback = {"event": "containerStart", "commands": ["echo <% this.parameters.k %>"]}
            return Prerequisite.model_validate(
                {"name": name, "type": "script", "callbacks": [callback]}
            )

    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: cat
        taskRoles:
          r: {prerequisites: [shared], commands: [echo]}
        """,
    )
    with pytest.raises(SpecError) as info:
        plan_job(load_job(job), Catalogue())
    assert (
        "prerequisite 'shared' (from the registry catalogue) callbacks[0].commands[0]: "
        "this.parameters has no 'k'" in str(info.value)
    )


def test_require_cycle_from_the_catalogue_names_the_cycle() -> None:
    known = {
        "a": Prerequisite(name="a", type="data", require=["b"]),
        "b": Prerequisite(name="b", type="data", require=["a"]),
    }
    role = TaskRole(prerequisites=["a"], commands=["true"])
    with pytest.raises(SpecError, match="a -> b -> a"):
        start_order("r", role, known)
    with pytest.raises(NotFoundError, match="'missing'"):
        start_order("r", TaskRole(prerequisites=["missing"], commands=["true"]), known)


def test_kernel_is_created_and_activated(tmp_path: Path) -> None:
    env = Environment(name="bare", image="docker.io/library/python:3.11-slim", kernel=[])
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: kernel
        taskRoles:
          r:
            environment: bare
            commands: ['python -c "import sys; print(sys.prefix)"', 'echo "kernel=$ENVYARD_KERNEL"']
        """,
    )
    script = render(job, env=env).script
    assert "envyard_activate_kernel bare" in script
    done = run_script(script, tmp_path / "w", {"ENVYARD_KERNEL_CACHE": str(tmp_path / "kc")})
    assert done.returncode == 0, done.stderr
    prefix, kernel = done.stdout.splitlines()
    assert prefix.startswith(str(tmp_path / "kc" / "bootstrap-"))
    assert kernel == "kernel=bare"
    again = run_script(script, tmp_path / "w2", {"ENVYARD_KERNEL_CACHE": str(tmp_path / "kc")})
    assert "creating kernel" not in again.stderr  # reused
    assert again.stdout.splitlines()[0] == prefix


def test_role_without_kernel_has_no_activation(tmp_path: Path) -> None:
    job = write_job(
        tmp_path,
        """
        protocolVersion: 2
        name: plain
        taskRoles:
          r: {commands: [echo hi]}
        """,
    )
    script = render(job).script
    assert "envyard_activate_kernel" not in script
    assert "envyard_fetch" not in script  # helpers are only copied when used
