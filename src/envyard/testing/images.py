"""Tiny, reproducible container images as bytes: layer, config, manifest and index.

Everything is derived from a ``content_seed`` string, with fixed timestamps and owners, so the
same seed always gives the same digests; a different seed (or architecture) gives different
ones. Supported manifest media types: Docker v2 schema 2, OCI image manifest, and (for
multi-platform images) OCI image index and Docker manifest list.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "INDEX_MEDIA_TYPES",
    "MANIFEST_ACCEPT",
    "MANIFEST_MEDIA_TYPES",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Blob",
    "ImageContent",
    "build_image",
    "build_index",
    "digest_of",
]

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST_MEDIA_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)
INDEX_MEDIA_TYPES = (DOCKER_MANIFEST_LIST, OCI_INDEX)
#: ``Accept`` header value that asks a registry for any of the four manifest kinds unchanged.
MANIFEST_ACCEPT = ", ".join((*MANIFEST_MEDIA_TYPES, *INDEX_MEDIA_TYPES))

_CONFIG_TYPE = {
    DOCKER_MANIFEST: "application/vnd.docker.container.image.v1+json",
    OCI_MANIFEST: "application/vnd.oci.image.config.v1+json",
}
_LAYER_TYPE = {
    DOCKER_MANIFEST: "application/vnd.docker.image.rootfs.diff.tar.gzip",
    OCI_MANIFEST: "application/vnd.oci.image.layer.v1.tar+gzip",
}
_INDEX_CHILD_TYPE = {OCI_INDEX: OCI_MANIFEST, DOCKER_MANIFEST_LIST: DOCKER_MANIFEST}
_EPOCH = "1970-01-01T00:00:00Z"


def digest_of(data: bytes) -> str:
    """``sha256:<hex>`` of *data*."""
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def _canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Blob:
    """Content-addressed bytes with the media type a manifest uses to reference them."""

    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        """``sha256:<hex>`` of the bytes."""
        return digest_of(self.data)

    def descriptor(self, **extra: Any) -> dict[str, Any]:
        """The OCI descriptor (``mediaType``, ``size``, ``digest``) plus *extra* fields."""
        return {
            "mediaType": self.media_type,
            "size": len(self.data),
            "digest": self.digest,
            **extra,
        }


@dataclass(frozen=True)
class ImageContent:
    """A manifest (or index) and the blobs it needs pushed first."""

    manifest: Blob
    blobs: tuple[Blob, ...]
    children: tuple[ImageContent, ...] = ()


def _layer(seed: str, architecture: str) -> tuple[bytes, bytes]:
    """Return ``(uncompressed tar, gzipped tar)`` holding one file derived from the seed."""
    payload = f"envyard test image\nseed: {seed}\narchitecture: {architecture}\n".encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("envyard-seed.txt")
        info.size, info.mtime, info.mode = len(payload), 0, 0o644
        tar.addfile(info, io.BytesIO(payload))
    raw = buffer.getvalue()
    return raw, gzip.compress(raw, mtime=0)


def build_image(
    content_seed: str = "envyard",
    *,
    media_type: str = OCI_MANIFEST,
    architecture: str = "amd64",
    os_name: str = "linux",
) -> ImageContent:
    """Build a one-layer image whose digests depend only on the arguments."""
    if media_type not in MANIFEST_MEDIA_TYPES:
        msg = f"media_type must be one of {MANIFEST_MEDIA_TYPES}, got {media_type!r}"
        raise ValueError(msg)
    raw, compressed = _layer(content_seed, architecture)
    layer = Blob(_LAYER_TYPE[media_type], compressed)
    config = Blob(
        _CONFIG_TYPE[media_type],
        _canonical_json(
            {
                "architecture": architecture,
                "os": os_name,
                "created": _EPOCH,
                "config": {"Labels": {"org.envyard.test.seed": content_seed}},
                "rootfs": {"type": "layers", "diff_ids": [digest_of(raw)]},
                "history": [{"created": _EPOCH, "created_by": "envyard.testing"}],
            }
        ),
    )
    manifest = {
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": config.descriptor(),
        "layers": [layer.descriptor()],
    }
    return ImageContent(Blob(media_type, _canonical_json(manifest)), (config, layer))


def build_index(
    content_seed: str = "envyard",
    *,
    media_type: str = OCI_INDEX,
    platforms: tuple[str, ...] = ("linux/amd64", "linux/arm64"),
) -> ImageContent:
    """Build a multi-platform index over one image per ``os/architecture`` in *platforms*."""
    if media_type not in INDEX_MEDIA_TYPES:
        msg = f"media_type must be one of {INDEX_MEDIA_TYPES}, got {media_type!r}"
        raise ValueError(msg)
    children: list[ImageContent] = []
    entries: list[dict[str, Any]] = []
    for platform in platforms:
        os_name, _, architecture = platform.partition("/")
        child = build_image(
            content_seed,
            media_type=_INDEX_CHILD_TYPE[media_type],
            architecture=architecture,
            os_name=os_name,
        )
        children.append(child)
        entries.append(
            child.manifest.descriptor(platform={"architecture": architecture, "os": os_name})
        )
    index = {"schemaVersion": 2, "mediaType": media_type, "manifests": entries}
    return ImageContent(Blob(media_type, _canonical_json(index)), (), tuple(children))
