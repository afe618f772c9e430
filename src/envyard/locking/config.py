"""Locking settings, read from the environment on each call (like :mod:`envyard.settings`).

- ``ENVYARD_LOCK_PLATFORMS``: platforms every lock covers (comma-separated); default
  ``linux-64`` (conda's ``noarch`` is always included). ``--platform`` adds more.
- ``ENVYARD_CONDA_DEFAULTS``: the channels the name ``defaults`` stands for (comma-separated
  URLs or names); default Anaconda's ``pkgs/main`` and ``pkgs/r``.
- ``ENVYARD_CONDA_CHANNEL_ALIAS``: base URL of channel names (``conda-forge`` ->
  ``<alias>/conda-forge``); default ``https://conda.anaconda.org``.
- ``ENVYARD_CONDA_MIRRORS``: ``FROM=TO`` URL prefixes (comma-separated) rewritten when packages
  and repodata are fetched, as ``--mirror`` does for image registries; locks keep the original
  URLs, so a lock made behind one mirror installs behind another.
- ``ENVYARD_CONDA_PKGS``: the conda package cache (default ``<ENVYARD_HOME>/conda-pkgs``);
  a kernel whose packages are all in it installs offline.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "PLATFORMS",
    "channel_urls",
    "conda_cache",
    "host_platform",
    "lock_platforms",
    "mirror",
]

DEFAULT_CHANNELS = ("https://repo.anaconda.com/pkgs/main", "https://repo.anaconda.com/pkgs/r")
CHANNEL_ALIAS = "https://conda.anaconda.org"
NO_DEFAULTS = "nodefaults"
PLATFORMS: dict[str, str] = {
    # conda platform -> uv's --python-platform
    "linux-64": "x86_64-manylinux_2_28",
    "linux-aarch64": "aarch64-manylinux_2_28",
    "osx-64": "x86_64-apple-darwin",
    "osx-arm64": "aarch64-apple-darwin",
    "win-64": "x86_64-pc-windows-msvc",
}


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def lock_platforms(extra: Sequence[str] = (), env: Mapping[str, str] | None = None) -> list[str]:
    """The platforms a new lock covers: the setting's, then *extra*, each once."""
    from envyard.errors import SpecError

    configured = _split(_env(env).get("ENVYARD_LOCK_PLATFORMS", "")) or ["linux-64"]
    chosen: list[str] = []
    for platform in [*configured, *extra]:
        if platform not in PLATFORMS:
            raise SpecError.at(
                "<input>",
                f"unknown platform '{platform}'",
                field="platform",
                hint="one of " + ", ".join(PLATFORMS),
            )
        if platform not in chosen:
            chosen.append(platform)
    return chosen


def host_platform() -> str:
    """This machine's conda platform (what a local launch installs)."""
    import sys

    machine = os.uname().machine.lower()
    arm = machine in {"arm64", "aarch64"}
    if sys.platform == "darwin":
        return "osx-arm64" if arm else "osx-64"
    if sys.platform == "win32":
        return "win-64"
    return "linux-aarch64" if arm else "linux-64"


def channel_urls(channels: Sequence[str], env: Mapping[str, str] | None = None) -> list[str]:
    """Channel names and URLs as URLs: ``defaults`` expanded, names under the channel alias.

    ``nodefaults`` (conda's "do not add the default channels") names no channel: it is left
    out, and a list holding nothing else is no channel at all rather than ``defaults``.
    """
    values = _env(env)
    alias = values.get("ENVYARD_CONDA_CHANNEL_ALIAS", CHANNEL_ALIAS).rstrip("/")
    defaults = _split(values.get("ENVYARD_CONDA_DEFAULTS", "")) or list(DEFAULT_CHANNELS)
    urls: list[str] = []
    named = [channel for channel in channels if channel.strip() != NO_DEFAULTS]
    for channel in named if channels else ["defaults"]:
        expanded = defaults if channel == "defaults" else [channel]
        for item in expanded:
            url = item if "://" in item else f"{alias}/{item.strip('/')}"
            url = url.rstrip("/")
            if url not in urls:
                urls.append(url)
    return urls


def mirrors(env: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    from envyard.errors import ConfigError

    pairs: list[tuple[str, str]] = []
    for item in _split(_env(env).get("ENVYARD_CONDA_MIRRORS", "")):
        source, sep, target = item.partition("=")
        if not sep or "://" not in source or "://" not in target:
            raise ConfigError(
                f"ENVYARD_CONDA_MIRRORS: '{item}' is not FROM=TO",
                hint="e.g. https://conda.anaconda.org=https://mirror.example.com/conda",
            )
        pairs.append((source.rstrip("/"), target.rstrip("/")))
    return pairs


def mirror(url: str, env: Mapping[str, str] | None = None) -> str:
    """*url* with the first matching mirror prefix rewritten."""
    for source, target in mirrors(env):
        if url == source or url.startswith(source + "/"):
            return target + url[len(source) :]
    return url


def conda_cache(env: Mapping[str, str] | None = None) -> Path:
    values = _env(env)
    if values.get("ENVYARD_CONDA_PKGS"):
        return Path(values["ENVYARD_CONDA_PKGS"])
    from envyard.settings import load_settings

    return load_settings(dict(values)).home / "conda-pkgs"
