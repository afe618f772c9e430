"""OpenPAI's ``extras.com.microsoft.pai.runtimeplugin``: the ``cmd`` plugin's pre- and
post-commands run around the commands of the roles it names (before, the block was dropped
without a word); other runtime plugins are a validate warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.prerequisites.helpers import render, run_script, write_job

from envyard.errors import SpecError
from envyard.spec.validation import validate_paths

# the shape of openpai-runtime's test/cmd_test_job.yaml, plus an ssh entry and a second role
JOB = """\
protocolVersion: 2
name: cmdtest
type: job
parameters: {greeting: hello}
taskRoles:
  worker:
    commands:
      - echo "Commands start ..."
  other:
    commands: [echo other]
extras:
  com.microsoft.pai.runtimeplugin:
    - plugin: cmd
      taskroles: [worker]
      parameters:
        preCommands:
          - echo "PreCommands <% $parameters.greeting %>"
        postCommands:
          - echo "PostCommands start ..."
    - plugin: ssh
      parameters: {jobssh: true}
"""


def test_pre_and_post_commands_run_around_the_roles_commands(tmp_path: Path) -> None:
    path = write_job(tmp_path, JOB)
    done = run_script(render(path, "worker").script, tmp_path / "w")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "PreCommands hello\nCommands start ...\nPostCommands start ...\n"
    other = run_script(render(path, "other").script, tmp_path / "o")
    assert other.stdout == "other\n", "taskroles limits the plugin to the roles it names"


def test_post_commands_do_not_run_after_a_failure_and_ignore_lets_a_pre_command_fail(
    tmp_path: Path,
) -> None:
    text = JOB.replace('echo "Commands start ..."', "exit 3").replace(
        "    - plugin: cmd\n", "    - plugin: cmd\n      failurePolicy: ignore\n"
    )
    text = text.replace('- echo "PreCommands <% $parameters.greeting %>"', "- 'false'")
    done = run_script(render(write_job(tmp_path, text), "worker").script, tmp_path / "w")
    assert done.returncode == 3, done.stderr
    assert "PostCommands" not in done.stdout


def test_other_runtime_plugins_are_a_validate_warning(tmp_path: Path) -> None:
    report = validate_paths([write_job(tmp_path, JOB)])
    [found] = report.diagnostics
    assert found.severity == "warning" and found.line == 20
    assert "runtime plugin 'ssh' is not provided" in found.message


def test_a_malformed_entry_is_a_located_error(tmp_path: Path) -> None:
    text = JOB.replace(
        '        postCommands:\n          - echo "PostCommands start ..."\n',
        "        postCommands: 7\n",
    )
    with pytest.raises(SpecError) as caught:
        render(write_job(tmp_path, text), "worker")
    [problem] = caught.value.diagnostics
    assert problem.line == 13, problem.render()
    assert "extras" in problem.field


def test_taskroles_written_as_one_string_names_that_role(tmp_path: Path) -> None:
    path = write_job(tmp_path, JOB.replace("taskroles: [worker]", "taskroles: worker"))
    other = run_script(render(path, "other").script, tmp_path / "o")
    assert other.stdout == "other\n"
    worker = run_script(render(path, "worker").script, tmp_path / "w")
    assert worker.stdout.startswith("PreCommands hello\n")
