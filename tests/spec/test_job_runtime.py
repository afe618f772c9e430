"""What OpenPAI's runtime gives a job and Envyard does not is a warning at its line: registry
credentials in a dockerimage's ``auth``, ``PAI_*`` variables Envyard does not set, runtime
plugins other than ``cmd`` (before, all three were ignored without a word)."""

from __future__ import annotations

from pathlib import Path

from envyard.spec.validation import validate_paths

JOB = """\
protocolVersion: 2
name: paivars
prerequisites:
  - name: img
    type: dockerimage
    uri: myregistry.example.com/team/train:1
    auth: {username: bob, password: x, registryuri: myregistry.example.com}
taskRoles:
  w:
    dockerImage: img
    commands:
      - echo $PAI_JOB_NAME ${PAI_WORK_DIR}/data $PAI_TASK_ROLE_w_HOST_LIST
extras:
  com.microsoft.pai.runtimeplugin:
    - {plugin: cmd, parameters: {preCommands: [echo pre]}}
    - {plugin: teamwise_storage, parameters: {storageConfigNames: [confignfs]}}
"""


def test_each_gap_is_a_located_warning(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(JOB, encoding="utf-8")
    report = validate_paths([path])
    assert not [d for d in report.diagnostics if d.severity != "warning"]
    found = sorted((d.line, d.field, d.message) for d in report.diagnostics)
    assert [(line, field) for line, field, _ in found] == [
        (7, "prerequisites[0].auth"),
        (12, "taskRoles.w.commands[0]"),
        (12, "taskRoles.w.commands[0]"),
        (16, 'extras["com.microsoft.pai.runtimeplugin"][1].plugin'),
    ]
    messages = " | ".join(message for _, _, message in found)
    assert "auth is not used" in messages
    assert "$PAI_WORK_DIR is set by OpenPAI's runtime" in messages
    assert "$PAI_TASK_ROLE_w_HOST_LIST" in messages and "$PAI_JOB_NAME" not in messages
    assert "runtime plugin 'teamwise_storage' is not provided" in messages
