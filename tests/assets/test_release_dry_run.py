"""``asset release --dry-run`` runs every check of the release and exits as the release would:
the same exit code and the same located message, with nothing written (branch, tags and
registry as they were)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset

_UNPINNED = "FROM mcr.microsoft.com/azureml/minimal:{{latest-image-tag}}\n"


def _release(repo: GitRepo, *args: str) -> int:
    argv = ["asset", "release", "--repo", str(repo.path), "--release-branch", "release"]
    return run([*argv, *args])


def _refs(repo: GitRepo) -> str:
    return repo.run("for-each-ref", "--format=%(refname) %(objectname)")


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    """The last line on stderr: the error the command stopped with."""
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _same_outcome(repo: GitRepo, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The dry run's exit code and error equal the release's; neither changed a ref."""
    before = _refs(repo)
    assert _release(repo, *args, "--dry-run") == 1
    dry = _error(capsys)
    assert _refs(repo) == before
    assert _release(repo, *args) == 1
    real = _error(capsys)
    assert _refs(repo) == before
    assert dry and dry == real
    return dry


def test_unresolved_tags_fail_the_dry_run_as_they_fail_the_release(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(git_repo.path, "demo-debian11", dockerfile=_UNPINNED)
    git_repo.commit("asset")
    error = _same_outcome(git_repo, capsys)
    assert "1 template tag(s) would be released unresolved: " in error
    assert "demo-debian11/context/Dockerfile:1:40 {{latest-image-tag}}" in error


def test_allow_unresolved_dry_run_lists_what_would_be_left(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(git_repo.path, "demo-debian11", dockerfile=_UNPINNED)
    git_repo.commit("asset")
    assert _release(git_repo, "--dry-run", "--allow-unresolved") == 0
    out = capsys.readouterr().out
    assert "skipped 1 image tag: " in out
    assert "(demo-debian11/context/Dockerfile:1); left as written" in out
    assert out.endswith("network requests: 0\ndry run: nothing changed\n")
    assert "release" not in _refs(git_repo)


def test_a_checked_out_release_branch_fails_the_dry_run(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(git_repo.path, "demo-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("asset")
    git_repo.run("checkout", "-q", "-b", "release")
    error = _same_outcome(git_repo, capsys)
    assert "'release' is checked out in" in error


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    return tmp_path / "home"


@pytest.mark.usefixtures("home")
def test_a_version_in_the_registry_fails_the_dry_run(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(git_repo.path, "demo-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("asset")
    from envyard.client import Client
    from envyard.spec.environment import Environment

    with Client() as client:
        env = {"name": "demo-debian11", "version": "1", "image": "busybox:1"}
        client.environments.create(Environment.model_validate(env))
    error = _same_outcome(git_repo, capsys, "--publish")
    assert error.startswith("error: cannot publish demo-debian11@1: "), error
    with Client() as client:
        assert [str(v.version) for v in client.environments.versions("demo-debian11")] == ["1"]


@pytest.mark.usefixtures("home")
def test_a_delete_on_that_is_no_date_fails_the_dry_run_at_its_place(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    tags = '  OS: Ubuntu22.04\n  Deprecated: ""\n  DeleteOn: "31/01/2027"\n'
    env_asset(git_repo.path, "demo-debian11", dockerfile="FROM busybox:1\n", spec_tags=tags)
    git_repo.commit("asset")
    error = _same_outcome(git_repo, capsys, "--publish")
    assert "demo-debian11/spec.yaml:12:13: tags.DeleteOn: '31/01/2027' is not a date" in error
