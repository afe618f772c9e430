"""Container image references (``host:port/path/name:tag@digest``), parsed without regex soup."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-fA-F0-9]{32,}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9-]+)*(?::\d+)?$")
DOCKER_HUB = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    host: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = f"{self.host}/{self.repository}" if self.host else self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_image_ref(text: str) -> ImageRef:
    """Parse an image reference; raise ValueError with a readable reason when malformed."""
    if not text or text != text.strip() or any(c.isspace() for c in text):
        raise ValueError(f"image reference {text!r} is empty or contains spaces")
    rest, _, digest_part = text.partition("@")
    digest = digest_part if "@" in text else None
    if digest is not None and not _DIGEST.match(digest):
        raise ValueError(f"'{digest}' is not a valid digest (expected e.g. sha256:<64 hex>)")
    tag = None
    last_slash = rest.rfind("/")
    if ":" in rest[last_slash + 1 :]:
        rest, tag = rest.rsplit(":", 1)
        if not _TAG.match(tag):
            raise ValueError(f"'{tag}' is not a valid image tag")
    parts = rest.split("/")
    host = ""
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        host = parts.pop(0)
        if not _HOST.match(host):
            raise ValueError(f"'{host}' is not a valid registry host")
    for part in parts:
        if not _COMPONENT.match(part):
            raise ValueError(
                f"'{part}' is not a valid repository path component "
                "(lowercase letters, digits and . _ - separators)"
            )
    return ImageRef(host=host, repository="/".join(parts), tag=tag, digest=digest)
