"""Environments and prerequisites from the registry (the local metastore through the SDK)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.client import Client
from envyard.errors import NotFoundError
from envyard.jobs.load import load_job
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import RegistryCatalogue

JOB = """
protocolVersion: 2
name: from-registry
taskRoles:
  r:
    environment: shared-env@1
    prerequisites: [shared-data]
    commands: ['echo "data at $ENVYARD_DATA_SHARED_DATA"']
"""


def test_catalogue_prerequisites_and_environments_come_from_the_registry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_DATA_ROOTS", str(tmp_path))  # the shared data lives there
    (tmp_path / "payload.txt").write_text("payload\n")
    client = Client()
    client.environments.create({"name": "shared-env", "image": "docker.io/library/busybox:1.36"})
    client.prerequisites.create(
        {
            "name": "shared-data",
            "type": "data",
            "plugin": "data",
            "uri": [str(tmp_path / "payload.txt")],
            "require": ["shared-setup"],
        }
    )
    client.prerequisites.create(
        {
            "name": "shared-setup",
            "type": "script",
            "callbacks": [{"event": "containerStart", "commands": ["echo setup first"]}],
        }
    )
    job = tmp_path / "job.yaml"
    job.write_text(textwrap.dedent(JOB))
    plan = plan_job(load_job(job), RegistryCatalogue())
    boot = plan.roles["r"]
    assert boot.prerequisites == ("shared-setup", "shared-data")
    assert boot.image == "docker.io/library/busybox:1.36"
    assert run(["job", "submit", str(job), "--wait"]) == 0
    err = capsys.readouterr().err
    assert err.index("r[0] setup first") < err.index("r[0] data at ")


def test_missing_environment_names_the_task_role(tmp_path: Path) -> None:
    job = tmp_path / "job.yaml"
    job.write_text(textwrap.dedent(JOB).replace("    prerequisites: [shared-data]\n", ""))
    with pytest.raises(NotFoundError, match=r"taskRoles\.r\.environment: "):
        plan_job(load_job(job), RegistryCatalogue())
