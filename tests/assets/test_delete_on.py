"""A ``DeleteOn`` spec tag that is not a date (``31/01/2027``): validate (AST020) and the
release plan report it at the tag's file:line, and ``release --publish`` refuses it there,
before anything is committed or published. Real git repository, local registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset

TAGS = '  OS: Ubuntu22.04\n  Deprecated: ""\n  DeleteOn: "31/01/2027"\n'
WHERE = "old-debian11/spec.yaml:12:13: "


@pytest.fixture
def repo(git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    monkeypatch.chdir(git_repo.path)
    env_asset(git_repo.path, "old-debian11", dockerfile="FROM busybox:1\n", spec_tags=TAGS)
    git_repo.commit("a bad DeleteOn")
    return git_repo


def test_validate_reports_the_tag_at_its_line(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["asset", "validate", "."]) == 0  # a warning: the reference accepts the file
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert (
        f"{WHERE}warning: tags.DeleteOn: '31/01/2027' is not a date "
        "(hint: write YYYY-MM-DD, as envyard asset deprecate does) [AST020]"
    ) in out, out
    assert "0 error(s)" in out


def test_the_plan_warns_and_publishing_refuses_it_located(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["asset", "release", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"warning: {WHERE}tags.DeleteOn: '31/01/2027' is not a date" in out, out
    assert "release --publish refuses it" in out
    before = repo.run("for-each-ref")
    assert run(["asset", "release", "--publish"]) == 1
    err = capsys.readouterr().err
    assert f"{WHERE}tags.DeleteOn: '31/01/2027' is not a date" in err, err
    assert "<input>" not in err
    assert repo.run("for-each-ref") == before  # nothing committed, no tag


def test_a_date_is_quiet(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(git_repo.path)
    tags = TAGS.replace("31/01/2027", "2027-01-31")
    env_asset(git_repo.path, "old-debian11", dockerfile="FROM busybox:1\n", spec_tags=tags)
    git_repo.commit("a good DeleteOn")
    assert run(["asset", "validate", "."]) == 0
    assert "AST020" not in capsys.readouterr().out
    assert run(["asset", "release", "--dry-run"]) == 0
    assert "DeleteOn" not in capsys.readouterr().out
