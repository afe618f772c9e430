"""The seed's examples (old and new style) render and run locally, effects in order."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.testing.pypi import PypiIndex

EXAMPLES = Path(__file__).parents[2] / "examples"


def in_order(text: str, expected: list[str]) -> bool:
    lines = text.splitlines()
    positions = [next(i for i, line in enumerate(lines) if want in line) for want in expected]
    return positions == sorted(positions)


def submit_and_wait(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    assert run(["job", "submit", *argv]) == 0, capsys.readouterr().err
    run_id = capsys.readouterr().out.strip()
    assert run(["job", "status", run_id, "--wait"]) == 0
    status = capsys.readouterr().out
    assert run(["job", "logs", run_id]) == 0
    return status, capsys.readouterr().out


def test_old_style_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = tmp_path / "covid-old-style.yaml"
    shutil.copy(EXAMPLES / "jobs" / "covid-old-style.yaml", job)
    status, logs = submit_and_wait(capsys, str(job))
    assert "state:     succeeded" in status
    assert "taskrole[0] would run wget https://example.invalid/yyy.zip" in logs


def test_new_style_example_runs_in_documented_order(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fresh_pypi_index: PypiIndex,
) -> None:
    fresh_pypi_index.add_wheel("six", "1.16.0")  # the example kernel's one requirement
    isolated = fresh_pypi_index.isolated_env(os.environ)
    for key in set(os.environ) - set(isolated):
        monkeypatch.delenv(key)
    for key, value in isolated.items():
        monkeypatch.setenv(key, value)
    env_file = EXAMPLES / "environments" / "team-default.yaml"
    status, logs = submit_and_wait(
        capsys, str(EXAMPLES / "jobs" / "covid-new-style.yaml"), "--env-file", str(env_file)
    )
    assert "state:     succeeded" in status, logs
    assert in_order(
        logs,
        [
            "workdir ready",
            "data ready in covid19/data",
            "kernel team_default_py311 active",
            "training for 2 epochs on ",
            "training succeeded",
            "data released",
            "workdir cleaned up",
        ],
    ), logs
    assert "training failed" not in logs
    assert "covid19/data" in logs.split("training for 2 epochs on ")[1].splitlines()[0]


def test_examples_render(capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("covid-old-style.yaml", "covid-new-style.yaml"):
        argv = ["job", "render", str(EXAMPLES / "jobs" / name)]
        argv += ["--env-file", str(EXAMPLES / "environments" / "team-default.yaml")]
        assert run(argv) == 0
        script = capsys.readouterr().out
        assert script.startswith("#!/usr/bin/env bash")
        assert "not-a-real-secret" not in script


def test_data_plugin_example(capsys: pytest.CaptureFixture[str]) -> None:
    status, logs = submit_and_wait(capsys, str(EXAMPLES / "jobs" / "data-plugin.yaml"))
    assert "state:     succeeded" in status, logs
    assert in_order(
        logs, ["checksum ok", "2 rows of cases", "analyst[0] Seattle", "analysis done"]
    ), logs
