"""``envyard asset build``: podman builds the pinned context and pushes to the registry fixture.

Skipped, with the reason printed, where podman cannot run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from envyard.assets.build.image import build_asset, image_tag
from envyard.assets.config import AssetSettings
from envyard.assets.discovery.discover import discover
from envyard.errors import ResolveError
from envyard.testing.git import GitRepo
from envyard.testing.plugin import unique_name
from envyard.testing.registry import OciRegistry

from .conftest import busybox_rootfs_tar, env_asset, write


@pytest.fixture(scope="session")
def base_image(
    podman_env: dict[str, str], oci_registry: OciRegistry, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """busybox imported with ``podman import`` and pushed to the registry as 1.0 and latest."""
    tar = busybox_rootfs_tar(tmp_path_factory.mktemp("base"))
    repo = f"{oci_registry.host}/{unique_name('base/busybox')}"
    local = f"localhost/{unique_name('envyard-base')}:1.0"

    def podman(*args: str) -> None:
        proc = subprocess.run(
            ["podman", *args], env=podman_env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            pytest.skip(f"podman cannot prepare the base image: {proc.stderr.strip()[-300:]}")

    podman("import", "--quiet", str(tar), local)
    for tag in ("1.0", "latest"):
        podman("push", "--tls-verify=false", local, f"{repo}:{tag}")
    podman("rmi", "--force", local)
    return repo


def test_build_and_push(
    tmp_path: Path, base_image: str, podman_env: dict[str, str], oci_registry: OciRegistry
) -> None:
    folder = env_asset(
        tmp_path,
        "built-debian11",
        dockerfile=(
            f"FROM {base_image}:{{{{latest-image-tag}}}}\n"
            "COPY hello.txt /hello.txt\n"
            "RUN cat /hello.txt\n"
        ),
        location=oci_registry.host,
    )
    write(folder, "context/hello.txt", "hello from the build context\n")
    asset = discover([folder], tmp_path).assets[0]
    settings = AssetSettings()
    built = build_asset(asset, settings, version="7", push=True, tool="podman", env=podman_env)
    assert built.tag == f"{oci_registry.host}/azureml/curated/built-debian11:7"
    assert built.pushed
    assert oci_registry.resolve("azureml/curated/built-debian11", "7").startswith("sha256:")
    subprocess.run(
        ["podman", "rmi", "--force", built.tag], env=podman_env, check=False, capture_output=True
    )


def test_unresolved_tags_stop_the_build(tmp_path: Path, podman_env: dict[str, str]) -> None:
    folder = env_asset(
        tmp_path,
        "nope-debian11",
        dockerfile="FROM docker.io/library/busybox:{{latest-image-tag}}\n",
    )
    asset = discover([folder], tmp_path).assets[0]
    with pytest.raises(ResolveError, match="unresolved tags: context/Dockerfile:1"):
        build_asset(asset, AssetSettings(), version="1", tool="podman", env=podman_env)


def test_image_tag_uses_the_publish_location(tmp_path: Path) -> None:
    folder = env_asset(tmp_path, "tag-debian11", location="mcr")
    asset = discover([folder], tmp_path).assets[0]
    settings = AssetSettings(publish_hostnames={"mcr": "mcr.microsoft.com"})
    assert (
        image_tag(asset, settings, None, "3") == "mcr.microsoft.com/azureml/curated/tag-debian11:3"
    )
    assert image_tag(asset, settings, "127.0.0.1:5000", "3") == (
        "127.0.0.1:5000/azureml/curated/tag-debian11:3"
    )


def test_cli_build_uses_the_released_version(  # noqa: PLR0917 - pytest fixtures
    git_repo: GitRepo,
    base_image: str,
    podman_env: dict[str, str],
    oci_registry: OciRegistry,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from envyard.cli.main import run

    env_asset(
        git_repo.path,
        "cli-built-debian11",
        dockerfile=f"FROM {base_image}:{{{{latest-image-tag}}}}\n",
        location=oci_registry.host,
    )
    git_repo.commit("asset")
    repo = ["--repo", str(git_repo.path)]
    assert run(["asset", "release", *repo, "--release-branch", "release"]) == 0
    monkeypatch.setenv("CONTAINERS_CONF", podman_env["CONTAINERS_CONF"])
    assert run(["asset", "build", "cli-built-debian11", *repo, "--tool", "podman"]) == 0
    tag = f"{oci_registry.host}/azureml/curated/cli-built-debian11:1"
    assert f"built {tag} with podman" in capsys.readouterr().out
    subprocess.run(
        ["podman", "rmi", "--force", tag], env=podman_env, check=False, capture_output=True
    )
