"""Folder walks: Envyard specs are checked, other files are skipped, never misreported."""

from __future__ import annotations

from pathlib import Path

from envyard.spec.validation import validate_paths


def test_walk_skips_files_that_are_not_specs(tmp_path: Path) -> None:
    (tmp_path / "k8s.yaml").write_text("kind: Service\n---\nkind: Deployment\n")
    (tmp_path / "tsconfig.json").write_text('{ // comment\n "a": 1 }\n')
    (tmp_path / "broken.yaml").write_text("a: [\n")
    (tmp_path / "values.yaml").write_text("image:\n  repository: nginx\n  tag: '1.25'\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "job.yaml").write_text("protocolVersion: 1\n")
    report = validate_paths([tmp_path])
    assert report.errors == []
    assert sorted(Path(p).name for p in report.skipped) == [
        "broken.yaml",
        "k8s.yaml",
        "tsconfig.json",
        "values.yaml",
    ]


def test_walk_reports_broken_files_whose_name_says_they_are_specs(tmp_path: Path) -> None:
    (tmp_path / "asset.yaml").write_text("type: [\n")
    report = validate_paths([tmp_path])
    assert len(report.errors) == 1
    assert "not valid YAML" in report.errors[0].message


def test_skip_unknown_keeps_named_files_quiet(tmp_path: Path) -> None:
    other = tmp_path / "ci.yaml"
    other.write_text("on: push\n")
    assert validate_paths([other]).errors
    assert validate_paths([other], skip_unknown=True).errors == []
