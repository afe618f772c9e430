"""An asset with a description file gets the deprecation notice there: a release replaces the
spec's description with that file (as azureml-assets does), so the notice, and the published
``replaced_by`` that comes from it, must be in the file to be released."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.release.apply import apply_release
from envyard.assets.release.deprecate import deprecate_asset
from envyard.assets.release.plan import plan_release
from envyard.assets.release.publish import RegistryPublisher
from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset, latest_layout_then_empty_main

_NOTICE = "DEPRECATED: Please use demo-model-2 instead."
_SPEC = (
    "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\n"
    "name: demo-model\npath: ./\ndescription: the spec's own text\ntags:\n  task: chat\n"
    "version: 4\n"
)


def _model(root: Path) -> Path:
    folder = root / "models" / "demo"
    folder.mkdir(parents=True)
    (folder / "asset.yaml").write_text("name: demo-model\ntype: model\nspec: spec.yaml\n")
    (folder / "spec.yaml").write_text(_SPEC)
    (folder / "description.md").write_bytes(b"A model for tests.\r\n\r\nSecond paragraph.\r\n")
    return folder


def test_the_notice_goes_to_the_description_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    folder = _model(tmp_path)
    done = deprecate_asset(tmp_path, "demo-model", "demo-model-2", "2027-01-31")
    assert done.description == folder / "description.md"
    markdown = (folder / "description.md").read_bytes()
    assert markdown == (
        _NOTICE.encode() + b"\r\n\r\nA model for tests.\r\n\r\nSecond paragraph.\r\n"
    )
    spec = (folder / "spec.yaml").read_text(encoding="utf-8")
    assert "description: the spec's own text\n" in spec  # not released: left alone
    assert "  Deprecated: ''\n  DeleteOn: '2027-01-31'\n" in spec
    deprecate_asset(tmp_path, "demo-model", "demo-model-3", "2027-01-31")
    again = (folder / "description.md").read_bytes()
    assert again.count(b"DEPRECATED") == 1
    assert again.startswith(b"DEPRECATED: Please use demo-model-3 instead.\r\n\r\nA model")


def test_the_released_spec_carries_the_notice(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    latest_layout_then_empty_main(git_repo)
    _model(git_repo.path)
    git_repo.commit("model")
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    assert run(argv) == 0
    argv_dep = ["asset", "deprecate", "demo-model", "--replacement", "demo-model-2"]
    assert run([*argv_dep, "--delete-on", "2027-01-31", "--repo", str(git_repo.path)]) == 0
    assert "(the notice in description.md)" in capsys.readouterr().out
    spec = git_repo.path / "models" / "demo" / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("version: 4", "version: 5"))
    git_repo.commit("deprecate demo-model")
    assert run(argv) == 0
    released = git_repo.run("show", "release:latest/model/demo-model/spec.yaml")
    assert f"description: |\n  {_NOTICE}\n\n  A model for tests.\n" in released
    assert "  Deprecated: ''\n  DeleteOn: '2027-01-31'\n" in released


def test_the_published_replacement_comes_from_the_description_file(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    described = "description_file: notes.md\n"
    old = env_asset(
        git_repo.path, "old-debian11", dockerfile="FROM busybox:1\n", extra_asset=described
    )
    (old / "notes.md").write_text("The old environment.\n", encoding="utf-8")
    env_asset(git_repo.path, "new-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("two")
    from envyard.client import Client

    settings = AssetSettings()
    with Client() as client:
        publisher = RegistryPublisher(client, settings, str(git_repo.path))
        apply_release(
            plan_release(git_repo.path, "release", settings), settings, publisher=publisher
        )
        assert client.environments.get("old-debian11@1").description == "The old environment."
        deprecate_asset(git_repo.path, "old-debian11", "new-debian11", "2027-01-31")
        git_repo.commit("deprecate old")
        plan = plan_release(git_repo.path, "release", settings)
        apply_release(plan, settings, publisher=publisher)
        record = client.environments.get("old-debian11@2")
    assert record.state == "deprecated"
    assert record.description.startswith("DEPRECATED: Please use new-debian11 instead.")
    assert record.replaced_by is not None and record.replaced_by.startswith("new-debian11")


def test_cli_dry_run_shows_both_files_and_writes_neither(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    folder = _model(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    argv = ["asset", "deprecate", "demo-model", "--replacement", "demo-model-2"]
    assert run([*argv, "--delete-on", "2027-01-31", "--repo", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "  DeleteOn: '2027-01-31'\n" in out
    assert f"--- {folder / 'description.md'}\n{_NOTICE}\r\n\r\nA model for tests." in out
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_description_file_outside_the_repository_is_never_written(tmp_path: Path) -> None:
    """deprecate writes the notice into the description file: one outside is refused first."""
    from envyard.errors import SpecError

    outside = tmp_path / "outside" / "notes.md"
    outside.parent.mkdir()
    outside.write_text("outside content\n", encoding="utf-8")
    folder = tmp_path / "repo" / "models" / "demo"
    folder.mkdir(parents=True)
    (folder / "asset.yaml").write_text(
        "name: demo-model\ntype: model\nspec: spec.yaml\n"
        "description_file: ../../../outside/notes.md\n",
        encoding="utf-8",
    )
    (folder / "spec.yaml").write_text(
        "name: demo-model\npath: ./\ndescription: x\nversion: 4\n", encoding="utf-8"
    )
    with pytest.raises(SpecError, match="outside the repository"):
        deprecate_asset(tmp_path / "repo", "demo-model", "demo-model-2", "2027-01-31")
    assert outside.read_text(encoding="utf-8") == "outside content\n"
