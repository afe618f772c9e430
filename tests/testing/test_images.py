"""envyard.testing.images: reproducible manifests and indexes."""

from __future__ import annotations

import json

import pytest

from envyard.testing.images import (
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    build_image,
    build_index,
)


def test_same_seed_same_digest() -> None:
    assert build_image("a").manifest.digest == build_image("a").manifest.digest
    assert build_image("a").manifest.digest != build_image("b").manifest.digest
    assert (
        build_image("a").manifest.digest != build_image("a", architecture="arm64").manifest.digest
    )
    assert (
        build_image("a", media_type=DOCKER_MANIFEST).manifest.digest
        != build_image("a", media_type=OCI_MANIFEST).manifest.digest
    )


@pytest.mark.parametrize("media_type", [DOCKER_MANIFEST, OCI_MANIFEST])
def test_manifest_references_its_blobs(media_type: str) -> None:
    image = build_image("x", media_type=media_type)
    manifest = json.loads(image.manifest.data)
    assert manifest["mediaType"] == media_type
    config, layer = image.blobs
    assert manifest["config"] == config.descriptor()
    assert manifest["layers"] == [layer.descriptor()]
    assert json.loads(config.data)["rootfs"]["diff_ids"][0].startswith("sha256:")


@pytest.mark.parametrize(
    ("media_type", "child_type"),
    [(OCI_INDEX, OCI_MANIFEST), (DOCKER_MANIFEST_LIST, DOCKER_MANIFEST)],
)
def test_index_lists_one_manifest_per_platform(media_type: str, child_type: str) -> None:
    index = build_index("x", media_type=media_type, platforms=("linux/amd64", "linux/arm64"))
    entries = json.loads(index.manifest.data)["manifests"]
    assert [e["platform"]["architecture"] for e in entries] == ["amd64", "arm64"]
    assert [e["digest"] for e in entries] == [c.manifest.digest for c in index.children]
    assert {e["mediaType"] for e in entries} == {child_type}


def test_unknown_media_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="media_type"):
        build_image("x", media_type="application/json")
