"""envyard.testing.git: real repositories with the git CLI."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from envyard.testing.git import GIT_USER_EMAIL, GitRepo


def test_commit_tag_and_branch(git_repo: GitRepo) -> None:
    assert git_repo.current_branch() == "main"
    git_repo.write("assets/demo/asset.yaml", "name: demo\nversion: 1\n")
    first = git_repo.commit("add demo asset")
    assert len(first) == 40
    assert git_repo.head() == first

    assert git_repo.tag("demo-1", message="release demo 1") == first
    git_repo.write("assets/demo/asset.yaml", "name: demo\nversion: 2\n")
    second = git_repo.commit("bump demo")
    git_repo.tag("demo-2")
    assert git_repo.tags() == ["demo-1", "demo-2"]
    assert git_repo.run("cat-file", "-t", "demo-1") == "tag"  # annotated
    assert git_repo.run("cat-file", "-t", "demo-2") == "commit"  # lightweight
    assert git_repo.run("log", "--format=%ae", "-1") == GIT_USER_EMAIL

    git_repo.branch("feature")
    assert git_repo.current_branch() == "feature"
    third = git_repo.commit("empty change", allow_empty=True)
    git_repo.checkout("main")
    assert git_repo.head() == second
    assert git_repo.head("feature") == third
    git_repo.checkout("demo-1")
    assert git_repo.head() == first
    assert (git_repo.path / "assets/demo/asset.yaml").read_text() == "name: demo\nversion: 1\n"


def test_failed_command_raises_with_stderr(git_repo: GitRepo) -> None:
    with pytest.raises(subprocess.CalledProcessError) as excinfo:
        git_repo.run("rev-parse", "--verify", "no-such-ref")
    assert excinfo.value.stderr


def test_clone_and_push_to_a_bare_remote(git_repo_factory: Callable[..., GitRepo]) -> None:
    remote = git_repo_factory("remote.git", bare=True)
    work = git_repo_factory("work")
    work.write("README", "hello\n")
    sha = work.commit("initial")
    work.add_remote("origin", remote.path)
    work.run("push", "--quiet", "origin", "main", "--tags")
    assert remote.head("main") == sha

    clone = remote.clone(work.path.parent / "clone")
    assert clone.head() == sha
    assert (clone.path / "README").read_text() == "hello\n"


def test_user_and_system_git_config_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(
        "[init]\n\tdefaultBranch = master\n[user]\n\temail = someone@example.invalid\n"
        "[commit]\n\tgpgsign = true\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "env@example.invalid")
    repo = GitRepo(tmp_path / "isolated").init()
    repo.write("a.txt", "a\n")
    repo.commit("first")
    assert repo.current_branch() == "main"
    assert repo.run("log", "--format=%ae %ce", "-1") == f"{GIT_USER_EMAIL} {GIT_USER_EMAIL}"
