"""``image.publish.location`` names a registry the way azureml-assets does: ``mcr`` is
``mcr.microsoft.com`` in the released spec, the published image and ``asset build``; a
configured ``publish_hostnames`` entry still wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.assets.build.image import image_tag
from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.assets.tags.spec import publish_hostname, spec_tag_values
from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset, latest_layout_then_empty_main

_IMAGE_SPEC = 'image: "{{image.publish.hostname}}/{{image.name}}:{{asset.version}}"\n'


def test_location_aliases_map_as_the_reference_maps_them() -> None:
    default = AssetSettings()
    assert publish_hostname(default, "mcr") == "mcr.microsoft.com"
    assert publish_hostname(default, "registry.example.com") == "registry.example.com"
    configured = AssetSettings(publish_hostnames={"mcr": "127.0.0.1:5000"})
    assert publish_hostname(configured, "mcr") == "127.0.0.1:5000"


def test_spec_tag_and_build_tag_use_the_mapped_host(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    folder = env_asset(tmp_path, "demo-debian11", location="mcr")
    asset = discover([folder], tmp_path).assets[0]
    values = spec_tag_values(asset, AssetSettings(), version="2")
    assert values["image.publish.hostname"] == "mcr.microsoft.com"
    assert image_tag(asset, AssetSettings(), None, "2") == (
        "mcr.microsoft.com/azureml/curated/demo-debian11:2"
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    return tmp_path / "home"


def _mcr_repo(repo: GitRepo, settings: str = "") -> None:
    """``main`` with one ``location: mcr`` environment; ``release`` in the azureml-assets
    layout (``latest/<type>/<name>/``), where the released spec has its spec tags resolved."""
    latest_layout_then_empty_main(repo)
    folder = env_asset(repo.path, "demo-debian11", dockerfile="FROM busybox:1\n", location="mcr")
    spec = folder / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + _IMAGE_SPEC, encoding="utf-8")
    if settings:
        (repo.path / "envyard.toml").write_text(settings, encoding="utf-8")
    repo.commit("mcr asset")


@pytest.mark.usefixtures("home")
def test_release_and_publish_with_location_mcr(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    _mcr_repo(git_repo)
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    assert run([*argv, "--publish"]) == 0
    released = git_repo.run("show", "release:latest/environment/demo-debian11/spec.yaml")
    assert 'image: "mcr.microsoft.com/azureml/curated/demo-debian11:1"' in released
    assert "mcr/azureml" not in released
    from envyard.client import Client

    with Client() as client:
        record = client.environments.get("demo-debian11@1")
    assert record.image == "mcr.microsoft.com/azureml/curated/demo-debian11:1"
    capsys.readouterr()


@pytest.mark.usefixtures("home")
def test_configured_hostname_wins(git_repo: GitRepo) -> None:
    _mcr_repo(git_repo, '[assets]\npublish_hostnames = { mcr = "registry.example.com" }\n')
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    assert run([*argv, "--publish"]) == 0
    released = git_repo.run("show", "release:latest/environment/demo-debian11/spec.yaml")
    assert 'image: "registry.example.com/azureml/curated/demo-debian11:1"' in released
    from envyard.client import Client

    with Client() as client:
        record = client.environments.get("demo-debian11@1")
    assert record.image == "registry.example.com/azureml/curated/demo-debian11:1"
