"""`envyard job submit|status|logs|cancel|list` through the CLI, with run records."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.client import Client

SIMPLE = """
protocolVersion: 2
name: simple
parameters: {epochs: 2}
secrets: {token: cli-secret-value}
prerequisites:
  - name: prep
    type: script
    callbacks:
      - {event: containerStart, commands: ["echo prepared"]}
      - {event: containerExit, commands: ["echo released"]}
taskRoles:
  trainer:
    instances: 2
    prerequisites: [prep]
    commands:
      - echo "epochs <% $parameters.epochs %> token <% $secrets.token %> on $ENVYARD_TASK_INDEX"
"""


def write(tmp_path: Path, text: str, name: str = "job.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_submit_status_logs_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = write(tmp_path, SIMPLE)
    original = job.read_text()
    code, out, err = cli(capsys, "job", "submit", str(job))
    assert code == 0, err
    run_id = out.strip()
    code, out, _ = cli(capsys, "job", "logs", run_id, "--follow")
    assert code == 0
    assert out.count("exits with 0") == 2  # --follow printed until both instances ended
    code, out, _ = cli(capsys, "job", "status", run_id, "--wait")
    assert code == 0
    assert "state:     succeeded" in out
    assert "exit code: 0" in out
    code, out, _ = cli(capsys, "job", "logs", run_id)
    assert "trainer[0] prepared" in out
    assert "trainer[1] epochs 2 token *** on 1" in out
    assert "trainer[1] released" in out
    assert "cli-secret-value" not in out
    code, out, _ = cli(capsys, "job", "list")
    assert run_id in out
    assert "succeeded" in out
    record = Client().runs.get(run_id)
    assert record.spec["secrets"] == {"token": "***"}  # the stored spec is masked
    assert record.backend == "local"
    assert record.exit_code == 0
    assert record.started_at is not None
    assert record.finished_at is not None
    assert job.read_text() == original


def test_cancel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: sleeper
        prerequisites:
          - name: cleanup
            type: script
            callbacks: [{event: containerExit, commands: ["echo cleaned"]}]
        taskRoles:
          r: {prerequisites: [cleanup], commands: ["echo started", "sleep 300"]}
        """,
    )
    code, out, err = cli(capsys, "job", "submit", str(job))
    assert code == 0, err
    run_id = out.strip()
    deadline = time.monotonic() + 60
    while "started" not in cli(capsys, "job", "logs", run_id)[1]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    code, out, _ = cli(capsys, "job", "cancel", run_id)
    assert code == 0
    assert out.strip() == f"{run_id} cancelled"
    assert "r[0] cleaned" in cli(capsys, "job", "logs", run_id)[1]
    assert Client().runs.get(run_id).state == "cancelled"
    assert "already cancelled" in cli(capsys, "job", "cancel", run_id)[1]


BAD = {
    "cycle": (
        """
        protocolVersion: 2
        name: bad
        prerequisites:
          - {name: a, type: data, require: [b]}
          - {name: b, type: data, require: [a]}
        taskRoles:
          r: {prerequisites: [a], commands: [echo]}
        """,
        "require forms a cycle: a -> b -> a",
    ),
    "missing": (
        """
        protocolVersion: 2
        name: bad
        taskRoles:
          r: {prerequisites: [nowhere], commands: [echo]}
        """,
        "prerequisite 'nowhere' is defined neither in the job nor in the registry catalogue",
    ),
    "duplicate": (
        """
        protocolVersion: 2
        name: bad
        prerequisites:
          - {name: a, type: data}
          - {name: a, type: script}
        taskRoles:
          r: {prerequisites: [a], commands: [echo]}
        """,
        "prerequisite name 'a' is already used by prerequisites[0]",
    ),
    "plugin": (
        """
        protocolVersion: 2
        name: bad
        prerequisites:
          - {name: a, type: data, plugin: nfs}
        taskRoles:
          r: {prerequisites: [a], commands: [echo]}
        """,
        "unknown prerequisite plugin 'nfs' (hint: known prerequisite plugins: cmd, data, docker",
    ),
    "hostile-role-name": (
        """
        protocolVersion: 2
        name: bad
        taskRoles:
          "w\\ntouch pwned": {commands: [echo]}
        """,
        "task role name 'w\\ntouch pwned' is not a valid name",
    ),
    "data-uri-string": (
        """
        protocolVersion: 2
        name: bad
        prerequisites:
          - {name: d, type: data, uri: https://x/y.zip}
        taskRoles:
          r: {data: d, commands: [echo]}
        """,
        "a data prerequisite's uri is a list (OpenPAI's schema)",
    ),
    "secret": (
        """
        protocolVersion: 2
        name: bad
        secrets: {a: b}
        taskRoles:
          r: {commands: ["echo <% $secrets.nope %>"]}
        """,
        "'$secrets.nope' is not defined",
    ),
    "environment": (
        """
        protocolVersion: 2
        name: bad
        taskRoles:
          r: {environment: ghost, commands: [echo]}
        """,
        "taskRoles.r.environment: ",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_a_clear_error_and_nothing_is_submitted(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = BAD[case]
    job = write(tmp_path, text)
    code, out, err = cli(capsys, "job", "submit", str(job))
    assert code == 1
    assert message in err
    assert "Traceback" not in err
    assert out == ""
    assert Client().runs.list() == []
    assert not (tmp_path / "envyard-home" / "runs").exists()


def test_render_prints_the_bootstrap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "job", "render", str(write(tmp_path, SIMPLE)))
    assert code == 0, err
    assert out.startswith("#!/usr/bin/env bash\n")
    assert "cli-secret-value" not in out
    two = write(tmp_path, SIMPLE.replace("taskRoles:", "taskRoles:\n  other: {commands: [x]}"))
    code, _, err = cli(capsys, "job", "render", str(two))
    assert code == 1
    assert "choose one with --task-role" in err
    code, _, err = cli(capsys, "job", "render", str(two), "--task-role", "nope")
    assert code == 1
    assert "no task role 'nope'" in err


def test_target_overrides_apply_to_a_staged_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = write(tmp_path, SIMPLE)
    original = job.read_text()
    write(
        tmp_path,
        """
        targets:
          - name: laptop
            backend: local
            overrides: overrides.yaml
        """,
        "targets.yaml",
    )
    write(
        tmp_path,
        """
        tenant_overrides:
          laptop:
            parameters.epochs: {$set: 1}
        """,
        "overrides.yaml",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "job", "submit", str(job), "--target", "laptop")
    assert code == 0, err
    run_id = out.strip()
    assert cli(capsys, "job", "status", run_id, "--wait")[0] == 0
    assert "trainer[0] epochs 1 token" in cli(capsys, "job", "logs", run_id)[1]
    assert Client().runs.get(run_id).target == "laptop"
    assert job.read_text() == original  # the user's file is never modified


@pytest.mark.slow
def test_the_same_job_runs_on_ray_and_its_logs_come_back(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    ray_head: object,
) -> None:
    from envyard.testing.ray import RAY_ENV, RayHead

    assert isinstance(ray_head, RayHead)
    for key, value in RAY_ENV.items():
        monkeypatch.setenv(key, value)
    job = write(tmp_path, SIMPLE)
    write(
        tmp_path,
        f"""
        targets:
          - name: cluster
            backend: ray
            settings: {{address: "{ray_head.address}"}}
        """,
        "targets.yaml",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "job", "submit", str(job), "--target", "cluster")
    assert code == 0, err
    run_id = out.strip()
    code, out, _ = cli(capsys, "job", "status", run_id, "--wait")
    assert "state:     succeeded" in out
    assert "backend:   ray (target cluster)" in out
    logs = cli(capsys, "job", "logs", run_id)[1]
    assert "trainer[0] prepared" in logs
    assert "trainer[1] epochs 2 token *** on 1" in logs
    assert "trainer[1] released" in logs
    assert "cli-secret-value" not in logs


def test_unreachable_ray_is_a_clear_error_and_nothing_is_submitted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from envyard.testing.ports import free_port

    job = write(tmp_path, SIMPLE)
    address = f"http://127.0.0.1:{free_port()}"
    write(
        tmp_path,
        f"targets:\n  - name: gone\n    backend: ray\n    settings: {{address: '{address}'}}\n",
        "targets.yaml",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "job", "submit", str(job), "--target", "gone")
    assert code == 1
    assert f"cannot reach the Ray cluster at {address}" in err
    assert out == ""
    assert Client().runs.list() == []


def test_dry_run_prints_and_submits_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    job = write(tmp_path, SIMPLE.replace("taskRoles:", "prerequisites: []\ntaskRoles:", 0))
    code, out, err = cli(capsys, "job", "submit", str(job), "--dry-run")
    assert code == 0, err
    assert out.startswith("# ===== backend local: task role trainer, 2 instance(s), no image\n")
    assert "#!/usr/bin/env bash" in out
    code, out, err = cli(capsys, "job", "submit", str(job), "--dry-run", "--backend", "kubernetes")
    assert code == 1  # kubernetes needs an image
    assert "has no image to run on Kubernetes" in err
    assert Client().runs.list() == []


def test_kubernetes_apply_without_a_cluster_submits_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    job = write(
        tmp_path,
        """
        protocolVersion: 2
        name: k8s
        taskRoles:
          r: {dockerImage: "docker.io/library/busybox:1.36", commands: [echo]}
        """,
    )
    code, out, err = cli(capsys, "job", "render", str(job), "--backend", "kubernetes")
    assert code == 0, err
    assert "kind: Job" in out
    code, out, err = cli(capsys, "job", "render", str(job), "--backend", "kubernetes", "--apply")
    assert code == 1
    assert out == ""
    assert "k8s" in err or "kubeconfig" in err
    assert Client().runs.list() == []
