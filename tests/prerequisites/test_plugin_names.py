"""A prerequisite's ``plugin``: OpenPAI's runtime spelling works, an unknown name is a located
validate error (before, validate passed and render failed)."""

from __future__ import annotations

from pathlib import Path

from tests.prerequisites.helpers import render, run_script, write_job

from envyard.spec.validation import validate_paths

# the prerequisite example of OpenPAI's docs (how-to-use-advanced-job-settings.md), shortened
OPENPAI_EXAMPLE = """\
protocolVersion: 2
name: adv
type: job
prerequisites:
  - name: install-git
    type: script
    plugin: {plugin}
    callbacks:
      - event: taskStarts
        commands:
          - echo installing git
taskRoles:
  taskrole:
    instances: 1
    prerequisites: [install-git]
    commands:
      - echo main
"""


def test_openpais_runtime_plugin_name_is_the_cmd_plugin(tmp_path: Path) -> None:
    plugin = "com.microsoft.pai.runtimeplugin.cmd"
    path = write_job(tmp_path, OPENPAI_EXAMPLE.format(plugin=plugin))
    report = validate_paths([path])
    assert not report.diagnostics, report.diagnostics
    done = run_script(render(path).script, tmp_path / "w")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "installing git\nmain\n"


def test_an_unknown_plugin_is_a_located_validate_error(tmp_path: Path) -> None:
    path = write_job(tmp_path, OPENPAI_EXAMPLE.format(plugin="cmdd"))
    report = validate_paths([path])
    [found] = report.diagnostics
    assert found.severity == "error"
    assert (found.line, found.col) == (7, 13)
    assert found.field == "prerequisites[0].plugin"
    assert "unknown prerequisite plugin 'cmdd'" in found.message
    assert found.hint is not None and "did you mean 'cmd'?" in found.hint


def test_an_unknown_openpai_runtime_plugin_is_named_as_written(tmp_path: Path) -> None:
    plugin = "com.microsoft.pai.runtimeplugin.teamwise_storage"
    path = write_job(tmp_path, OPENPAI_EXAMPLE.format(plugin=plugin))
    [found] = validate_paths([path]).diagnostics
    assert f"unknown prerequisite plugin '{plugin}'" in found.message
