"""Pinning build contexts against the real registry and package index."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.assets.pinning.pin import ResolveFailedError, pin_assets, write_pinned
from envyard.cli.main import run
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex
from envyard.testing.registry import OciRegistry

from .conftest import env_asset


@pytest.fixture
def published(oci_registry: OciRegistry, pypi_index: PypiIndex) -> dict[str, str]:
    repo = unique_name("base/python")
    image = oci_registry.push_image(repo, ["3.11.9", "3.11.10", "latest"], content_seed=repo)
    pkg = unique_name("lib")
    pypi_index.add_wheel(pkg, "1.9.0")
    pypi_index.add_wheel(pkg, "1.10.0")
    pypi_index.add_wheel(pkg, "2.0.0rc1")
    return {"image": f"{oci_registry.host}/{repo}", "digest": image.digest, "pkg": pkg}


def _asset(tmp_path: Path, published: dict[str, str]) -> Path:
    return env_asset(
        tmp_path,
        "demo-debian11",
        dockerfile=f"FROM {published['image']}:{{{{latest-image-tag}}}}\nRUN true\n",
        requirements=(
            f"{published['pkg']}=={{{{latest-pypi-version}}}}\n"
            f"{published['pkg']}[extra]=={{{{latest-pypi-version:pre}}}}  # pre\n"
        ),
    )


def test_pin_resolves_everything_and_leaves_originals_alone(
    tmp_path: Path, published: dict[str, str], pypi_index: PypiIndex
) -> None:
    folder = _asset(tmp_path / "repo", published)
    before = (folder / "context" / "Dockerfile").read_text(encoding="utf-8")
    asset = discover([folder], tmp_path / "repo").assets[0]
    settings = AssetSettings(index_urls=[pypi_index.url])
    (result,) = asyncio.run(pin_assets([asset], settings))
    lock = write_pinned(result, tmp_path / "out", settings)
    out = tmp_path / "out"
    assert (out / "Dockerfile").read_text(encoding="utf-8") == (
        f"FROM {published['image']}:3.11.10\nRUN true\n"
    )
    assert (out / "requirements.txt").read_text(encoding="utf-8") == (
        f"{published['pkg']}==1.10.0\n{published['pkg']}[extra]==2.0.0rc1  # pre\n"
    )
    assert (folder / "context" / "Dockerfile").read_text(encoding="utf-8") == before
    data = json.loads((out / "envyard.lock.json").read_text(encoding="utf-8"))
    assert data["source_hash"].startswith("sha256:")
    entries = {(e["file"], e["line"]): e for e in data["entries"]}
    image = entries[("context/Dockerfile", 1)]
    assert (image["value"], image["digest"], image["status"]) == (
        "3.11.10",
        published["digest"],
        "resolved",
    )
    assert entries[("context/requirements.txt", 2)]["value"] == "2.0.0rc1"
    assert lock.skipped == []


def test_unconfigured_sources_are_skipped_and_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env_asset(
        tmp_path / "repo",
        "demo-debian11",
        dockerfile="FROM docker.io/library/python:{{latest-image-tag}}\n",
        requirements="numpy=={{latest-pypi-version}}\n",
    )
    code = run(["asset", "pin", str(folder), "-o", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "skipped 1 image tag: no registry configured for docker.io" in out
    assert "skipped 1 package version: no package index configured" in out
    assert "--mirror" in out and "--index-url" in out
    assert "{{latest-image-tag}}" in (tmp_path / "out" / "Dockerfile").read_text(encoding="utf-8")
    lock = json.loads((tmp_path / "out" / "envyard.lock.json").read_text(encoding="utf-8"))
    assert {e["status"] for e in lock["entries"]} == {"skipped"}
    assert run(["asset", "pin", str(folder), "-o", str(tmp_path / "o2"), "--strict"]) == 1


def test_failures_name_the_file_and_line_and_write_nothing(
    tmp_path: Path, oci_registry: OciRegistry, pypi_index: PypiIndex
) -> None:
    missing_pkg = unique_name("nothere")
    folder = env_asset(
        tmp_path / "repo",
        "demo-debian11",
        dockerfile=f"FROM {oci_registry.host}/{unique_name('none')}:{{{{latest-image-tag}}}}\n",
        requirements=f"# deps\n{missing_pkg}=={{{{latest-pypi-version}}}}\n",
    )
    asset = discover([folder], tmp_path / "repo").assets[0]
    settings = AssetSettings(index_urls=[pypi_index.url])
    with pytest.raises(ResolveFailedError) as info:
        asyncio.run(pin_assets([asset], settings))
    text = str(info.value)
    assert "context/Dockerfile:1:" in text and "does not exist" in text
    assert f"context/requirements.txt:2:{len(missing_pkg) + 3}" in text
    assert f"package '{missing_pkg}' does not exist" in text
    assert "None" not in text


def test_cli_pin_with_mirror_and_index(
    tmp_path: Path,
    published: dict[str, str],
    pypi_index: PypiIndex,
    oci_registry: OciRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo_path = published["image"].split("/", 1)[1]
    folder = env_asset(
        tmp_path / "repo",
        "demo-debian11",
        dockerfile=f"FROM mcr.microsoft.com/{repo_path}:{{{{latest-image-tag}}}}\n",
        requirements=f"{published['pkg']}=={{{{latest-pypi-version}}}}\n",
    )
    argv = ["asset", "pin", str(folder), "-o", str(tmp_path / "out"), "--digest"]
    argv += ["--mirror", f"mcr.microsoft.com={oci_registry.host}", "--index-url", pypi_index.url]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert f"-> 3.11.10@{published['digest']}" in out
    dockerfile = (tmp_path / "out" / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile == f"FROM mcr.microsoft.com/{repo_path}:3.11.10@{published['digest']}\n"


def test_pin_many_assets_and_refuse_a_foreign_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    env_asset(repo, "one-debian11", dockerfile="FROM busybox:1\n")
    env_asset(repo, "two-debian11", dockerfile="FROM busybox:2\n")
    out = tmp_path / "out"
    assert run(["asset", "pin", str(repo), "-o", str(out)]) == 0
    assert (out / "one-debian11" / "Dockerfile").read_text(encoding="utf-8") == "FROM busybox:1\n"
    assert (out / "two-debian11" / "envyard.lock.json").is_file()
    assert run(["asset", "pin", str(repo), "-o", str(out)]) == 0  # an earlier pin is replaced
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert run(["asset", "pin", str(repo / "one-debian11"), "-o", str(foreign)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (foreign / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_cli_pin_reports_the_load_error_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "no environment asset with a build context": the broken file, line and field."""
    folder = env_asset(tmp_path, "pytorch-2.3-broken")
    (folder / "environment.yaml").write_text("image:\n  name: x\n  context: {dir: 3, nope: 1}\n")
    assert run(["asset", "pin", str(folder), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "no environment asset" not in err
    assert "environment.yaml:3:" in err, err
    assert not (tmp_path / "out").exists()
