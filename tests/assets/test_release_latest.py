"""Release against a release branch in the azureml-assets layout (``latest/<type>/<name>/``),
built from the scenario folder ``tests/scenarios/assets/release-latest-layout``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo

CASE = Path(__file__).resolve().parents[1] / "scenarios" / "assets" / "release-latest-layout"
SKLEARN = "assets/training/general/environments/sklearn-1.5"


def _refs(repo: GitRepo) -> str:
    return repo.run("for-each-ref", "--format=%(refname) %(objectname)")


@pytest.fixture
def upstream(git_repo: GitRepo) -> GitRepo:
    """The scenario as a repository: ``release`` from ``release/``, ``main`` from ``main/``."""
    repo = git_repo
    repo.run("checkout", "--orphan", "release")
    shutil.copytree(CASE / "release", repo.path, dirs_exist_ok=True)
    repo.commit("Update release branch")
    for tag in (CASE / "tags.txt").read_text(encoding="utf-8").split():
        repo.tag(tag)
    repo.run("checkout", "--orphan", "main")
    repo.run("rm", "-r", "-q", "--cached", ".")
    shutil.rmtree(repo.path / "latest")
    shutil.copytree(CASE / "main", repo.path, dirs_exist_ok=True)
    repo.commit("main")
    return repo


def _release(repo: GitRepo, *args: str) -> int:
    return run(["asset", "release", "--repo", str(repo.path / "assets"), *args])


def test_an_unchanged_repository_plans_nothing_new(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _release(upstream, "--release-branch", "release", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "(layout latest/<type>/<name>/): 0 new, 0 updated, 4 unchanged" in out, out
    assert "dry run: nothing changed" in out


def test_a_changed_environment_continues_from_its_released_version(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = upstream.path / SKLEARN / "context" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN echo changed\n", encoding="utf-8")
    # its tags have no configured source: the dry run, like the release, needs the option
    assert _release(upstream, "--release-branch", "release", "--dry-run") == 1
    assert _release(upstream, "--release-branch", "release", "--dry-run", "--allow-unresolved") == 0
    out = capsys.readouterr().out
    assert "updated   environment/sklearn-1.5  50 -> 51" in out, out
    assert "0 new, 1 updated, 3 unchanged" in out


def test_without_index_or_registry_the_release_stops_and_changes_nothing(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = upstream.path / SKLEARN / "context" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN echo changed\n", encoding="utf-8")
    before = _refs(upstream)
    assert _release(upstream, "--release-branch", "release") == 1
    err = capsys.readouterr().err
    (line,) = [e for e in err.splitlines() if e.startswith("error:")]
    assert "5 template tag(s) would be released unresolved" in line
    assert f"{SKLEARN}/context/Dockerfile:1:55 {{{{latest-image-tag}}}}" in line
    assert f"{SKLEARN}/context/conda_dependencies.yaml:7:27 {{{{latest-pypi-version}}}}" in line
    assert _refs(upstream) == before


def test_allowed_unresolved_tags_are_released_then_re_pinned(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    dockerfile = upstream.path / SKLEARN / "context" / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "RUN echo changed\n", encoding="utf-8")
    assert _release(upstream, "--release-branch", "release", "--allow-unresolved") == 0
    assert "environment/sklearn-1.5/51" in upstream.tags()
    folder = "latest/environment/sklearn-1.5"
    files = upstream.run("ls-tree", "-r", "--name-only", "release", folder).split()
    assert sorted(files) == [
        f"{folder}/asset.yaml",
        f"{folder}/context/Dockerfile",
        f"{folder}/context/conda_dependencies.yaml",
        f"{folder}/environment.yaml",
        f"{folder}/spec.yaml",
    ]  # the release paths only: no README, no tests, no second tree beside latest/
    spec = upstream.run("show", f"release:{folder}/spec.yaml")
    assert 'version: "51"' in spec and 'path: "context"' in spec
    assert "assets/" not in upstream.run("ls-tree", "--name-only", "release")
    capsys.readouterr()
    assert _release(upstream, "--release-branch", "release", "--dry-run", "--allow-unresolved") == 0
    out = capsys.readouterr().out
    assert "updated   environment/sklearn-1.5  51 -> 52" in out  # its tags get pinned next


def test_nothing_outside_the_folder_is_read(upstream: GitRepo) -> None:
    # test/resources holds a broken asset.yaml: releasing the whole repository trips on it
    assert run(["asset", "release", "--repo", str(upstream.path), "--dry-run"]) == 1
    assert _release(upstream, "--release-branch", "release", "--dry-run") == 0


def test_a_spec_tag_holding_a_long_text_is_not_a_crash(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Seen on an older snapshot of the real repository: a model's tag held a whole licence
    text, which the released-file check took for a file name (ENAMETOOLONG, exit 3)."""
    spec = upstream.path / "assets" / "models" / "system" / "phi-mini" / "spec.yaml"
    licence = "MIT License. " + "Permission is hereby granted, free of charge. " * 20
    spec.write_text(spec.read_text().replace("task: text-generation", f"license: {licence}"))
    assert _release(upstream, "--release-branch", "release", "--dry-run") == 0
    assert "skipped   model/phi-mini  4  (version 4 is already released" in capsys.readouterr().out
    assert run(["asset", "validate", str(upstream.path / "assets")]) in (0, 1)


def test_a_released_model_spec_carries_its_description_file(
    upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the reference writes it: the released spec's description is description.md; the
    next plan sees the asset as unchanged."""
    spec = upstream.path / "assets" / "models" / "system" / "phi-mini" / "spec.yaml"
    text = spec.read_text().replace("version: 4", "version: 5")
    spec.write_text(text.replace("SharedComputeCapacityEnabled: true", "Size: small"))
    upstream.commit("phi-mini 5")
    assert _release(upstream, "--release-branch", "release") == 0
    assert "model/phi-mini/5" in upstream.tags()
    released = upstream.run("show", "release:latest/model/phi-mini/spec.yaml")
    assert "description: |\n  Phi-mini is a small language model.\n" in released, released
    assert "Size: small" in released and "version: 5" in released
    capsys.readouterr()
    assert _release(upstream, "--release-branch", "release", "--dry-run") == 0
    assert "0 new, 0 updated, 4 unchanged" in capsys.readouterr().out
