"""An azureml-assets ``spec.yaml`` names AzureML's schema: it is AzureML's environment, not an
Envyard one, even when its keys look alike (before, ``envyard validate`` of an azureml-assets
clone failed on every environment spec: the documented CI step and pre-commit hook)."""

from __future__ import annotations

from pathlib import Path

from envyard.spec.validation import validate_paths

AZUREML_ENV = """\
$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
description: An environment for deep learning.
name: "{{asset.name}}"
version: "{{asset.version}}"
image: "{{image.publish.hostname}}/{{image.name}}:{{asset.version}}"
os_type: linux
"""
ENVYARD_ENV = """\
$schema: ../schemas/environment.schema.json
name: team-default
image: python:3.11-slim
"""


def test_a_folder_walk_skips_azureml_files_and_keeps_envyards(tmp_path: Path) -> None:
    (tmp_path / "azureml").mkdir()
    (tmp_path / "azureml" / "spec.yaml").write_text(AZUREML_ENV, encoding="utf-8")
    (tmp_path / "team.yaml").write_text(ENVYARD_ENV, encoding="utf-8")
    report = validate_paths([tmp_path], skip_unknown=True)
    assert not report.diagnostics, [d.render() for d in report.diagnostics]
    assert [f.kind for f in report.files] == ["environment"]
    assert any(s.endswith("azureml/spec.yaml") for s in report.skipped)


def test_naming_an_azureml_file_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(AZUREML_ENV, encoding="utf-8")
    [problem] = validate_paths([path]).diagnostics
    assert "an AzureML file" in problem.message and (problem.line, problem.col) == (1, 1)
    assert problem.hint is not None and "envyard asset validate" in problem.hint
