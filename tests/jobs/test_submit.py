"""Issue 14 through the CLI: floats, deployments, submit-time parameters, following a run,
missing files, what the local backend cannot honour, and a run record written before start."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click
import pytest

from envyard import yamlio
from envyard.backends.interface import RunStatus
from envyard.cli.job_options import follow as _follow
from envyard.cli.main import run
from envyard.client import Client
from envyard.settings import load_settings

FLOATS = """
protocolVersion: 2
name: floats
version: 1.0
parameters: {lr: 0.1, scale: 1.0, tiny: 1e-3}
deployments:
  - name: prod
    taskRoles:
      main:
        preCommands: [echo pre]
        postCommands: [echo post]
  - name: quiet
    taskRoles:
      main:
        preCommands: [echo quiet-pre]
defaults: {deployment: prod}
taskRoles:
  main:
    dockerImage: docker.io/library/python:3.11
    resourcePerInstance: {cpu: 1, memoryMB: 512, gpu: 2}
    commands:
      - echo "lr=<% $parameters.lr %> scale=<% $parameters.scale %> tiny=<% $parameters.tiny %>"
      - echo "main $WHO"
"""


def write(tmp_path: Path, text: str, name: str = "job.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_floats_run_to_success_with_their_values_and_are_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(tmp_path, FLOATS.replace("$WHO", "<% $parameters.who %>"))
    job.write_text(job.read_text().replace("tiny: 1e-3}", "tiny: 1e-3, who: file}"))
    code, out, err = cli(capsys, "job", "submit", str(job), "--wait", "-p", "who=$(touch x)")
    assert code == 0, err
    assert "lr=0.1 scale=1.0 tiny=1e-3" in err
    lines = [line.split(" ", 1)[1] for line in err.splitlines() if line.startswith("main[0] ")]
    order = [line for line in lines if line in ("pre", "post") or line.startswith("main ")]
    assert order == ["pre", "main $(touch x)", "post"]  # the deployment, in order; data
    run_id = out.strip()
    record = Client().runs.get(run_id)
    assert record.state == "succeeded"
    written = yamlio.load((load_settings().runs_dir / run_id / "job.yaml").read_text())
    assert written["version"] == 1.0
    assert written["parameters"]["lr"] == 0.1
    assert written["parameters"]["who"] == "$(touch x)"
    assert not list(tmp_path.rglob("x"))


def test_local_backend_says_what_it_does_not_provide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(tmp_path, FLOATS)
    code, _, err = cli(capsys, "job", "submit", str(job), "--dry-run")
    assert code == 0, err
    assert "not in image docker.io/library/python:3.11; use --backend container" in err
    assert "asks for 2 GPU(s) per instance" in err


def test_deployment_chosen_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(tmp_path, FLOATS)
    code, out, err = cli(capsys, "job", "render", str(job), "--deployment", "quiet")
    assert code == 0, err
    assert "echo quiet-pre" in out
    assert "echo pre\n" not in out
    code, out, err = cli(capsys, "job", "render", str(job), "--deployment", "nope")
    assert code == 1
    assert "no deployment 'nope' (hint: deployments: prod, quiet)" in err


def test_a_missing_job_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("submit", "render"):
        code, out, err = cli(capsys, "job", command, str(tmp_path / "nope.yaml"))
        assert code == 1
        assert out == ""
        assert err.startswith("error: ")
        assert "nope.yaml: no such job file" in err
        assert len(err.strip().splitlines()) == 1


def test_undefined_parameter_is_left_as_written_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: openpai-like
        taskRoles:
          r: {commands: ["echo <% $parameters.nope %>"]}
        """,
    )
    code, out, err = cli(capsys, "job", "submit", str(job), "--dry-run")
    assert code == 0, err
    assert "echo <% $parameters.nope %>" in out
    assert "warning:" in err
    assert "left in the command as written (as OpenPAI does)" in err
    code, out, err = cli(capsys, "validate", str(job))
    assert code == 0, err


def test_bad_param_option_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(tmp_path, FLOATS)
    code, _, err = cli(capsys, "job", "submit", str(job), "-p", "novalue")
    assert code == 2
    assert "is not KEY=VALUE" in err
    code, _, err = cli(capsys, "job", "submit", str(job), "-p", "a\nb=1")
    assert code == 2


class _Interrupted:
    """A handle whose run goes on; following it is interrupted by Ctrl-C."""

    def __init__(self) -> None:
        self.cancelled = False

    def status(self) -> RunStatus:
        return RunStatus("running")

    def logs(self) -> str:
        raise KeyboardInterrupt

    def cancel(self) -> None:  # pragma: no cover - must not be called
        self.cancelled = True


def test_ctrl_c_stops_following_and_says_how_to_cancel(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handle: Any = _Interrupted()
    with pytest.raises(click.exceptions.Exit) as exc:
        _follow(handle, "run123")
    assert exc.value.exit_code == 130
    err = capsys.readouterr().err
    assert "run run123 is still running" in err
    assert "envyard job cancel run123" in err
    assert handle.cancelled is False


def test_deprecated_environment_is_named_by_render_and_submit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client()
    client.environments.create({"name": "new-env", "docker-image": "docker.io/library/python:3"})
    client.environments.create({"name": "old-env", "docker-image": "docker.io/library/python:3"})
    client.environments.deprecate("old-env", replaced_by="new-env", delete_on="2099-01-31")
    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: uses-old
        taskRoles:
          r: {environment: old-env, commands: [echo hi]}
        """,
    )
    for argv in (["render", "--kernel", "none"], ["submit", "--dry-run"]):
        code, _, err = cli(capsys, "job", *argv, str(job))
        assert code == 0, err
        assert (
            "warning: old-env@1 is deprecated (replaced by new-env; to be deleted on 2099-01-31)"
            in err
        )


def test_a_failure_after_the_start_cancels_the_run_and_records_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from envyard.registry.runs import RunStore

    real = RunStore.update

    def failing(self: Any, run_id: str, **changes: Any) -> Any:
        if changes.get("state") == "running":
            raise OSError("the metastore went away")
        return real(self, run_id, **changes)

    monkeypatch.setattr(RunStore, "update", failing)
    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: long
        taskRoles:
          r: {commands: ["sleep 60"]}
        """,
    )
    code, _, _ = cli(capsys, "job", "submit", str(job))
    assert code != 0
    monkeypatch.setattr(RunStore, "update", real)
    (record,) = Client().runs.list()
    assert record.state == "failed"
    run_dir = load_settings().runs_dir / record.id
    assert "the metastore went away" in (run_dir / "submit-error.txt").read_text()
    assert (run_dir / "job.yaml").exists()  # recorded before the start
    from envyard.backends.local import LocalHandle

    status = LocalHandle(record.id, run_dir).wait(timeout=30)
    assert status.state in ("cancelled", "failed")  # the started job did not keep running


def test_wait_streams_logs_and_ctrl_c_leaves_the_job_running(tmp_path: Path) -> None:
    """A real `envyard job submit --wait`: the first line shows while the job still runs;
    SIGINT stops following, says how to cancel, and the job goes on."""
    import os
    import signal
    import subprocess
    import sys
    import time

    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: slow
        taskRoles:
          r: {commands: ["echo first-line", "sleep 60", "echo never"]}
        """,
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        [sys.executable, "-m", "envyard", "job", "submit", str(job), "--wait"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    ) as proc:  # fmt: skip
        assert proc.stderr is not None
        assert proc.stdout is not None
        run_id = proc.stdout.readline().strip()
        deadline = time.monotonic() + 60
        seen = ""
        while "first-line" not in seen and time.monotonic() < deadline:
            seen += proc.stderr.readline()
        assert "r[0] first-line" in seen  # streamed while the job still runs
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 130
    assert f"run {run_id} is still running" in rest
    assert f"envyard job cancel {run_id}" in rest
    assert Client().runs.get(run_id).state == "running"
    assert run(["job", "cancel", run_id]) == 0
    assert Client().runs.get(run_id).state == "cancelled"
