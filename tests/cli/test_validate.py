"""`envyard validate` on a folder and as the pre-commit hook: a spec with a YAML syntax error
fails (issue 16, point 1); broken files that are not Envyard specs are still skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.yamlio import load

HOOKS = Path(__file__).parents[2] / ".pre-commit-hooks.yaml"
BROKEN_ENV = "name: team\nimage: python:3.11-slim\nkernel: [python=3.11\n"


def _hook_argv(hook_id: str) -> list[str]:
    hooks = load(HOOKS.read_text(encoding="utf-8"), str(HOOKS))
    entry = next(h["entry"] for h in hooks if h["id"] == hook_id)
    words: list[str] = entry.split()
    assert words[0] == "envyard"
    return words[1:]


def test_folder_walk_reports_a_spec_with_a_syntax_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "team.yaml").write_text(BROKEN_ENV)
    (tmp_path / "chart.yaml").write_text("replicas: {{ .Values.n }}\n  x: [\n")  # not ours
    assert run(["validate", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{tmp_path / 'team.yaml'}:4:1: not valid YAML")
    assert "not valid YAML" in captured.out and "chart.yaml" not in captured.out
    assert "1 error(s) in 1 file(s)" in captured.err and "skipped 1 file(s)" in captured.err


def test_pre_commit_hook_fails_on_a_broken_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "job-train.yaml"
    spec.write_text("protocolVersion: 2\nname: train\ntaskRoles:\n  main: {instances: 1\n")
    other = tmp_path / "mkdocs.yml"
    other.write_text("nav: [\n")
    argv = _hook_argv("envyard-validate")
    assert run([*argv, str(spec), str(other)]) == 1
    out = capsys.readouterr().out
    assert str(spec) in out and "mkdocs.yml" not in out
    assert run([*argv, str(other)]) == 0
