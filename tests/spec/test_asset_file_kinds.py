"""`envyard validate` and `envyard schema` know a model asset's model.yaml and the storage.yaml
of data/prompt assets (kinds asset-model and asset-storage), as azureml-assets writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.spec.validation import validate_paths

SCENARIO = Path(__file__).parents[1] / "scenarios" / "assets" / "real-format" / "repo"


def test_real_model_and_storage_files_validate() -> None:
    files = [SCENARIO / "model" / "model.yaml", SCENARIO / "prompt" / "storage.yaml"]
    report = validate_paths(files)
    assert report.errors == []
    assert report.skipped == []


def test_model_yaml_typo_is_reported_with_line_and_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.yaml"
    model.write_text(
        "path:\n  type: azureblob\n  storage_name: s\npublish:\n  descripton: description.md\n"
    )
    # unknown keys are warnings (the reference keeps them): exit 0
    assert run(["validate", str(model)]) == 0
    out = capsys.readouterr().out
    assert f"{model}:5:3:" in out
    assert "unknown field 'descripton'" in out and "did you mean 'description'?" in out


def test_storage_yaml_bad_path_type_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = tmp_path / "storage.yaml"
    storage.write_text("path:\n  type: s3\n  uri: s3://bucket/x\n")
    assert run(["validate", str(storage)]) == 1
    assert f"{storage}:2:9:" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["asset-model", "asset-storage"])
def test_schema_command_prints_the_kind(kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", kind]) == 0
    assert '"properties"' in capsys.readouterr().out
