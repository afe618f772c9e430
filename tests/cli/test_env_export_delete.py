"""`env export -o -` writes to standard output; `env delete` with nobody to answer the prompt
(stdin not a terminal, at its end) is an error naming --yes; an answer piped in counts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.service.testing import metastore_url
from envyard.testing.plugin import unique_name

__all__ = ["metastore_url"]


def _create(name: str, tmp_path: Path) -> None:
    spec = tmp_path / f"{name}.yaml"
    spec.write_text(f"name: {name}\nimage: busybox\n")
    assert run(["env", "create", "-f", str(spec)]) == 0


def test_export_to_dash_is_stdout(
    metastore_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique_name("exp")
    _create(name, tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert run(["env", "export", name, "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert f"name: {name}" in out
    assert not (tmp_path / "-").exists()


def test_delete_without_an_answer_is_an_error(
    metastore_url: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = unique_name("del")
    _create(name, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    capsys.readouterr()
    assert run(["env", "delete", name]) == 1
    err = capsys.readouterr().err
    assert "nobody answered (stdin is not a terminal)" in err and "--yes" in err
    assert run(["env", "get", name]) == 0  # still there
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert run(["env", "delete", name]) != 0
    assert run(["env", "get", name]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert run(["env", "delete", name]) == 0
    assert f"deleted {name}" in capsys.readouterr().out
    assert run(["env", "get", name]) == 1


def test_delete_of_a_replacement_is_refused(
    metastore_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = unique_name("team")
    _create(name, tmp_path)
    assert run(["env", "update", name, "--description", "two"]) == 0
    assert run(["env", "deprecate", f"{name}@1", "--replaced-by", f"{name}@2"]) == 0
    assert run(["env", "archive", f"{name}@1"]) == 0
    capsys.readouterr()
    assert run(["env", "delete", f"{name}@2", "--yes"]) == 1
    err = capsys.readouterr().err
    assert f"error: {name}@2 is the replacement (replaced_by) of {name}@1" in err
    assert run(["env", "delete", f"{name}@1", "--yes"]) == 0
    assert run(["env", "delete", f"{name}@2", "--yes"]) == 0
