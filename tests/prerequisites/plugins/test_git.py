"""The git plugin checks out a real repository (made with the git CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.prerequisites.helpers import render, run_script, write_job

from envyard.errors import SpecError
from envyard.testing.git import GitRepo, git_env


def test_checkout_of_a_ref(
    tmp_path: Path, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_DATA_ROOTS", str(git_repo.path.parent))
    git_repo.write("train.py", "print('v1')\n")
    git_repo.commit("v1")
    git_repo.tag("v1", message="first")
    git_repo.write("train.py", "print('v2')\n")
    git_repo.commit("v2")
    path = write_job(
        tmp_path,
        f"""
        protocolVersion: 2
        name: git-job
        prerequisites:
          - name: code
            type: script
            plugin: git
            uri: {git_repo.path}
            ref: v1
        taskRoles:
          r:
            prerequisites: [code]
            commands: ['cat "$ENVYARD_GIT_CODE/train.py"']
        """,
    )
    done = run_script(render(path).script, tmp_path / "w", git_env({}))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "print('v1')\n"


def test_unknown_ref_fails_naming_the_prerequisite(
    tmp_path: Path, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_DATA_ROOTS", str(git_repo.path.parent))
    git_repo.write("a", "a")
    git_repo.commit("a")
    path = write_job(
        tmp_path,
        f"""
        protocolVersion: 2
        name: git-job
        prerequisites:
          - {{name: code, type: script, plugin: git, uri: {git_repo.path}, ref: nope}}
        taskRoles:
          r: {{prerequisites: [code], commands: [echo never]}}
        """,
    )
    done = run_script(render(path).script, tmp_path / "w", git_env({}))
    assert done.returncode != 0
    assert "prerequisite code failed in containerStart" in done.stderr
    assert done.stdout == ""


def test_a_local_repository_outside_the_data_roots_is_refused(
    tmp_path: Path, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENVYARD_DATA_ROOTS", raising=False)
    (tmp_path / "jobs").mkdir()
    path = write_job(
        tmp_path / "jobs",
        f"""
        protocolVersion: 2
        name: outside
        prerequisites:
          - name: src
            type: script
            plugin: git
            uri: {git_repo.path}
        taskRoles:
          r:
            prerequisites: [src]
            commands: ["true"]
        """,
    )
    with pytest.raises(SpecError, match="outside the job's folder and the allowed data roots"):
        render(path)
    monkeypatch.setenv("ENVYARD_DATA_ROOTS", str(git_repo.path.parent))
    assert "git clone" in render(path).script


@pytest.mark.parametrize("scheme", ["file://", "FILE://"])
def test_a_file_url_is_confined_like_a_path(
    tmp_path: Path, git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    monkeypatch.delenv("ENVYARD_DATA_ROOTS", raising=False)
    (tmp_path / "jobs").mkdir()
    path = write_job(
        tmp_path / "jobs",
        f"""
        protocolVersion: 2
        name: outside
        prerequisites:
          - {{name: src, type: script, plugin: git, uri: "{scheme}{git_repo.path}"}}
        taskRoles:
          r: {{prerequisites: [src], commands: ["true"]}}
        """,
    )
    with pytest.raises(SpecError, match="outside the job's folder and the allowed data roots"):
        render(path)
