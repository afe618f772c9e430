"""What pages show: YAML of a version, kernel summaries, launch commands, list filtering."""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from envyard.registry.records import EnvironmentRecord
from envyard.spec.environment import CondaKernel
from envyard.yamlio import dump

__all__ = ["kernel_summary", "launch_commands", "matches_query", "tag_text", "to_yaml"]

_ORDER = ("name", "version", "description", "image", "vm_image", "kernel", "tags")


def to_yaml(data: Any) -> str:
    return dump(data)


def environment_yaml(record: EnvironmentRecord, *, with_version: bool = True) -> str:
    """The version as a spec file (what ``envyard env create -f`` accepts)."""
    data = record.spec().model_dump(mode="json", by_alias=True, exclude_none=True)
    keys = [k for k in _ORDER if with_version or k != "version"]
    ordered = {k: data[k] for k in keys if data.get(k) not in (None, "", {}, [])}
    return to_yaml(ordered)


def kernel_summary(record: EnvironmentRecord) -> str:
    kernel = record.kernel
    if kernel is None:
        return "from the image"
    if isinstance(kernel, CondaKernel):
        python = kernel.python_version()
        count = len(kernel.conda_packages()) + len(kernel.pip_requirements())
        head = f"conda {kernel.name}" if kernel.name else "conda"
        return f"{head} · python {python} · {count} deps" if python else f"{head} · {count} deps"
    shown = ", ".join(kernel[:3])
    return f"pip: {shown}" + (f" +{len(kernel) - 3}" if len(kernel) > 3 else "")


def launch_commands(record: EnvironmentRecord) -> list[tuple[str, str]]:
    """(label, command) pairs to copy: local uv kernel, and podman when there is an image."""
    ref = shlex.quote(record.ref)
    commands = [("local (uv kernel)", f"envyard env launch {ref} -- python")]
    if record.image:
        commands.append(("podman", f"envyard env launch {ref} --engine podman -- python"))
    return commands


def tag_text(key: str, value: str) -> str:
    return f"{key}={value}" if value else key


def matches_query(record: EnvironmentRecord, query: str) -> bool:
    """Case-insensitive substring match on name, description, image and tags."""
    needle = query.strip().casefold()
    if not needle:
        return True
    haystack: Iterable[str] = (
        record.name,
        record.description,
        record.image or "",
        record.vm_image or "",
        *(tag_text(k, v) for k, v in record.tags.items()),
    )
    return any(needle in text.casefold() for text in haystack)


def parse_tags(text: str) -> dict[str, str]:
    """``GPU, Python=3.11`` -> ``{"GPU": "", "Python": "3.11"}``."""
    tags: dict[str, str] = {}
    for part in text.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip():
            tags[key.strip()] = value.strip()
    return tags


def all_tags(records: Sequence[EnvironmentRecord]) -> list[str]:
    return sorted({tag_text(k, v) for r in records for k, v in r.tags.items()})
