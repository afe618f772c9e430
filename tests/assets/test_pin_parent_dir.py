"""A build context outside the asset folder but inside the repository (the reference's
``update/in-parent-dir`` fixture: ``context.dir: ../src/context``): pin and release resolve its
template files (they crashed with "is not in the subpath of"). Real registry, real git."""

from __future__ import annotations

import json

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo
from envyard.testing.plugin import unique_name
from envyard.testing.registry import OciRegistry

from .conftest import env_asset, write

ASSET = "envs/sklearn-1.5"


@pytest.fixture
def repo(git_repo: GitRepo, oci_registry: OciRegistry) -> GitRepo:
    image = unique_name("base/openmpi")
    oci_registry.push_image(image, ["3.10", "3.11", "latest"], content_seed=image)
    write(
        git_repo.path,
        "shared/context/Dockerfile",
        f"FROM {oci_registry.host}/{image}:{{{{latest-image-tag}}}}\nRUN true\n",
    )
    folder = env_asset(git_repo.path, "sklearn-1.5", folder=ASSET)
    env = folder / "environment.yaml"
    env.write_text(env.read_text().replace("dir: context", "dir: ../../shared/context"))
    (folder / "context" / "Dockerfile").unlink()
    (folder / "context").rmdir()
    git_repo.commit("an environment whose context is shared")
    return git_repo


def test_pin_a_context_in_a_parent_folder(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    out = repo.path.parent / "pinned"
    assert run(["asset", "pin", str(repo.path / ASSET), "-o", str(out)]) == 0, (
        capsys.readouterr().err
    )
    assert (out / "Dockerfile").read_text(encoding="utf-8").endswith(":3.11\nRUN true\n")
    lock = json.loads((out / "envyard.lock.json").read_text(encoding="utf-8"))
    (entry,) = lock["entries"]
    assert (entry["file"], entry["line"], entry["status"]) == (
        "../../shared/context/Dockerfile",
        1,
        "resolved",
    )
    assert "{{latest-image-tag}}" in (repo.path / "shared/context/Dockerfile").read_text()


@pytest.mark.parametrize("layout", ["envyard", "latest"])
def test_release_a_context_in_a_parent_folder(
    repo: GitRepo, layout: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if layout == "latest":  # a release branch in the azureml-assets layout
        repo.run("checkout", "-q", "--orphan", "rel")
        repo.run("rm", "-rfq", ".")
        repo.write("latest/data/p/asset.yaml", "name: p\nversion: 1\ntype: data\nspec: s.yaml\n")
        repo.write("latest/data/p/s.yaml", "name: p\nversion: 1\ntype: uri_file\npath: a\n")
        repo.commit("rel")
        repo.run("checkout", "-qf", "main")
    code = run(["asset", "release", "--repo", str(repo.path), "--release-branch", "rel"])
    assert code == 0, capsys.readouterr().err
    assert repo.tags() == ["environment/sklearn-1.5/1"]
    if layout == "latest":  # as the reference: relative to the files' common folder
        released = "latest/environment/sklearn-1.5/shared/context/Dockerfile"
        dockerfile = repo.run("show", f"rel:{released}")
        assert dockerfile.endswith(":3.11\nRUN true")
        names = repo.run("ls-tree", "-r", "--name-only", "rel", "latest/environment")
        assert "latest/environment/sklearn-1.5/envs/sklearn-1.5/environment.yaml" in names
    else:
        lock = json.loads(repo.run("show", f"rel:{ASSET}/envyard.lock.json"))
        assert [e["file"] for e in lock["entries"]] == ["../../shared/context/Dockerfile"]
        assert lock["entries"][0]["value"] == "3.11"
