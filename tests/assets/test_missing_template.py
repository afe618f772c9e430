"""A ``template_files`` entry missing from the build context: azureml-assets accepts the asset
and its release skips the file with a warning; so does Envyard (AST022, a warning). Before,
validate refused it (AST002) and pin and release stopped."""

from __future__ import annotations

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset


def test_validate_warns_pin_and_release_skip_the_missing_file(
    git_repo: GitRepo, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env_asset(git_repo.path, "thin-debian11", folder="envs/thin", requirements="six\n")
    (folder / "context" / "requirements.txt").unlink()
    git_repo.commit("an asset whose template file is missing")
    assert run(["asset", "validate", str(git_repo.path), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "warning: image.context.template_files[1]: template file 'requirements.txt'" in out
    assert "[AST022]" in out
    pinned = tmp_path_factory.mktemp("pinned")
    assert run(["asset", "pin", str(folder), "-o", str(pinned)]) == 0, capsys.readouterr().err
    assert (pinned / "Dockerfile").is_file() and not (pinned / "requirements.txt").exists()
    capsys.readouterr()
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    assert run(argv) == 0
    shown = capsys.readouterr()
    assert "template file 'requirements.txt' does not exist" in shown.out + shown.err
    assert "Dockerfile" in git_repo.run("ls-tree", "-r", "--name-only", "release")
