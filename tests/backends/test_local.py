"""The local backend: real bash processes under a detached supervisor."""

from __future__ import annotations

import time
from pathlib import Path

from tests.backends.helpers import submission

from envyard.backends.local import LocalBackend

MULTI = """
protocolVersion: 2
name: multi
secrets:
  token: hunter2-very-secret
taskRoles:
  ps:
    commands:
      - 'echo "$ENVYARD_TASK_ROLE $ENVYARD_TASK_INDEX/$ENVYARD_TASK_COUNT $ENVYARD_JOB_NAME"'
  worker:
    instances: 2
    commands:
      - 'echo "$ENVYARD_TASK_ROLE $ENVYARD_TASK_INDEX/$ENVYARD_TASK_COUNT run=$ENVYARD_RUN_ID"'
      - echo "token is <% $secrets.token %>"
"""


def test_all_instances_of_all_roles_run_with_their_variables(tmp_path: Path) -> None:
    sub = submission(tmp_path, MULTI)
    handle = LocalBackend().submit(sub)
    status = handle.wait(timeout=60)
    assert status.state == "succeeded"
    assert status.exit_code == 0
    assert status.started_at is not None
    assert status.finished_at is not None
    logs = handle.logs()
    assert "ps[0] ps 0/1 multi" in logs
    assert f"worker[0] worker 0/2 run={sub.run_id}" in logs
    assert f"worker[1] worker 1/2 run={sub.run_id}" in logs
    assert "worker[1] token is ***" in logs
    for path in sub.run_dir.rglob("*"):  # secrets are never written to the run directory
        if path.is_file():
            assert "hunter2" not in path.read_text(errors="replace"), path
    again = LocalBackend().attach(handle.to_dict())
    assert again.status().state == "succeeded"


def test_failing_instance_fails_the_run_with_its_exit_code(tmp_path: Path) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: failing
        taskRoles:
          ok: {commands: ["true"]}
          bad: {commands: ["sh -c 'exit 9'"]}
        """,
    )
    status = LocalBackend().submit(sub).wait(timeout=60)
    assert status.state == "failed"
    assert status.exit_code == 9


def test_cancel_kills_the_process_group_after_exit_callbacks(tmp_path: Path) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: long
        prerequisites:
          - name: cleanup
            type: script
            callbacks:
              - {event: containerExit, commands: ["echo cleaned up"]}
        taskRoles:
          r:
            prerequisites: [cleanup]
            commands: ["echo started", "sleep 300", "echo never"]
        """,
    )
    handle = LocalBackend().submit(sub)
    deadline = time.monotonic() + 60
    while "started" not in handle.logs():
        assert time.monotonic() < deadline, handle.logs()
        time.sleep(0.1)
    handle.cancel()
    status = handle.wait(timeout=60)
    assert status.state == "cancelled"
    logs = handle.logs()
    assert "received SIGTERM" in logs
    assert "r[0] cleaned up" in logs
    assert "never" not in logs


def test_task_retries_and_completion_policy(tmp_path: Path) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: policies
        taskRoles:
          flaky:
            taskRetryCount: 1
            commands: ["test -e tried || { touch tried; exit 3; }", "echo second attempt worked"]
          majority:
            instances: 3
            completion: {minFailedInstances: 2, minSucceededInstances: 2}
            commands: ['[ "$ENVYARD_TASK_INDEX" != 2 ]']
        """,
    )
    handle = LocalBackend().submit(sub)
    status = handle.wait(timeout=60)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert "flaky[0] envyard: retrying flaky-0 (attempt 2)" in logs
    assert "flaky[0] second attempt worked" in logs


def test_completion_policy_can_fail_the_job(tmp_path: Path) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: policies
        taskRoles:
          r:
            instances: 3
            completion: {minSucceededInstances: 3}
            commands: ['[ "$ENVYARD_TASK_INDEX" != 1 ] || exit 6']
        """,
    )
    status = LocalBackend().submit(sub).wait(timeout=60)
    assert status.state == "failed"
    assert status.exit_code == 6


def test_job_retry_runs_every_instance_again(tmp_path: Path) -> None:
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: job-retry
        jobRetryCount: 2
        taskRoles:
          r:
            instances: 2
            commands:
              - echo "run of instance $ENVYARD_TASK_INDEX"
              - '[ "$ENVYARD_TASK_INDEX" = 0 ] || test -e once || { touch once; exit 5; }'
        """,
    )
    handle = LocalBackend().submit(sub)
    status = handle.wait(timeout=60)
    logs = handle.logs()
    assert status.state == "succeeded", logs
    assert logs.count("r[0] run of instance 0") == 2
    assert logs.count("r[1] run of instance 1") == 2
    assert "r[0] envyard: the job failed; running it again (job attempt 2)" in logs


def test_a_multi_line_secret_is_masked_line_by_line(tmp_path: Path) -> None:
    """Output is masked a line at a time: each line of a key is masked (short lines alone are
    not: ``}`` would blank every such line)."""
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: pem
        secrets:
          key: "-----BEGIN KEY-----\\nAAAAsecretbody1234\\n}\\n-----END KEY-----"
        taskRoles:
          w:
            commands: ['printf "%s\\\\n" "<% $secrets.key %>"', 'echo "}"']
        """,
    )
    handle = LocalBackend().submit(sub)
    assert handle.wait(timeout=60).state == "succeeded"
    logs = handle.logs()
    assert "AAAAsecretbody1234" not in logs and "BEGIN KEY" not in logs, logs
    assert logs.count("w[0] ***") == 3, logs
    assert "w[0] }" in logs, logs
    for path in sub.run_dir.rglob("*"):
        if path.is_file():
            assert "secretbody" not in path.read_text(errors="replace"), path
