"""The lock on the way to remote places: exact pins for Ray, containers and Kubernetes.

A remote place cannot use this machine's kernel cache, so it gets the lock in the form its own
installer takes:

- :func:`pip_lines`: a requirements file of the lock's pip packages for one platform, each
  ``name==version`` with the sha256 of every file of that version (pip's hash-checking mode:
  nothing else can be installed), after the index options the lock was resolved from. Ray's
  runtime_env ``pip`` list and the bootstrap's ``requirements.txt`` are such files.
- :func:`conda_lines`: the lock's conda packages as exact ``name==version=build`` specs and
  their channel URLs (Ray's runtime_env ``conda``; a Ray node needs conda for those).
- :func:`locked_spec`: a kernel spec whose requirements are the lock's pins: the files the
  container bootstrap creates a kernel from (``--engine podman|docker``).
- :func:`lock_of`: the lock of an environment: the one stored with its registry version when
  that version has the same kernel (spec hash), else the spec's lock kept in the kernel cache
  (made on first use, as ``env launch -f`` does). :func:`with_locks` fills a submission's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from envyard.errors import ConfigError, EnvyardError

if TYPE_CHECKING:
    from envyard.backends.interface import Submission
    from envyard.launch.kernelspec import KernelSpec
    from envyard.locking.model import Lock
    from envyard.spec.environment import Environment

__all__ = [
    "PINS_IN_CONTAINER",
    "REMOTE_PLATFORM",
    "conda_lines",
    "index_lines",
    "lock_of",
    "locked_spec",
    "pip_lines",
    "platform_of",
    "with_locks",
    "write_pins",
]

REMOTE_PLATFORM = "linux-64"  # Ray nodes, containers and pods run Linux x86-64 unless told
PINS_IN_CONTAINER = "/envyard/kernel-requirements.txt"  # ENVYARD_KERNEL_REQUIREMENTS


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+!*-]*")  # PEP 508 names, PEP 440 versions, builds
_URL = re.compile(r"[^\s'\"\\]+")


def _checked(value: str, what: str, pattern: re.Pattern[str] = _WORD) -> str:
    """``value`` when it is one word of its kind; a lock never smuggles a line or an option."""
    if not pattern.fullmatch(value) or value.startswith("-"):
        raise ConfigError(
            f"the lock holds a {what} that cannot be written into a requirements file: {value!r}",
            hint="lock the environment again (`envyard env relock NAME`)",
        )
    return value


def platform_of(lock: Lock, wanted: str = REMOTE_PLATFORM) -> str:
    """``wanted`` when the lock has it, else the lock's only platform (a clear error if not)."""
    if wanted in lock.platforms or len(lock.platforms) != 1:
        return wanted
    return next(iter(lock.platforms))


def index_lines(lock: Lock) -> list[str]:
    """Index options of a requirements file for the sources the lock was resolved from.

    The lock lists its sources in the kernel's order (the index first) without saying which
    were indexes and which ``--find-links``, so: a folder is a ``--find-links``; the first URL
    is the ``--index-url``, later ones ``--extra-index-url``; a ``file:`` URL is also a
    ``--find-links`` (a local simple index and a local wheel folder both work). Only with no
    URL at all is ``--no-index`` added. Every line is checked (no spaces, quotes, options).
    """
    lines: list[str] = []
    urls = 0
    for source in lock.indexes:
        _checked(source, "package index", _URL)
        if "://" not in source:
            lines.append(f"--find-links {source}")
            continue
        lines.append(f"{'--index-url' if urls == 0 else '--extra-index-url'} {source}")
        urls += 1
        if source.startswith("file:"):
            lines.append(f"--find-links {source}")
    if lock.indexes and urls == 0:
        lines.insert(0, "--no-index")
    return lines


def pip_lines(lock: Lock, platform: str = REMOTE_PLATFORM) -> list[str]:
    """The lock's pip packages for ``platform`` as a pinned, hash-checked requirements file."""
    packages = lock.for_platform(platform_of(lock, platform)).pip
    if not packages:
        return []
    pins = []
    hashed = True
    for package in packages:
        files = [*package.wheels, *([package.sdist] if package.sdist else [])]
        digests = sorted({_checked(f.sha256, "sha256") for f in files if f.sha256})
        hashed = hashed and bool(digests)
        name, version = _checked(package.name, "name"), _checked(package.version, "version")
        pins.append((f"{name}=={version}", digests))
    # hash-checking mode needs a hash on every line: without one somewhere, pins only
    lines = [
        pin + "".join(f" --hash=sha256:{d}" for d in digests if hashed) for pin, digests in pins
    ]
    return [*index_lines(lock), *lines]


def conda_lines(lock: Lock, platform: str = REMOTE_PLATFORM) -> tuple[list[str], list[str]]:
    """``(channels, specs)``: the lock's conda packages pinned to their exact builds."""
    packages = lock.for_platform(platform_of(lock, platform)).conda
    specs = [
        f"{_checked(p.name, 'name')}=={_checked(p.version, 'version')}={_checked(p.build, 'build')}"
        for p in packages
    ]
    found = [*lock.channels, *(p.channel for p in packages)]
    channels = list(dict.fromkeys(_checked(c, "channel", _URL) for c in found))
    return channels, specs


def locked_spec(spec: KernelSpec, lock: Lock, platform: str = REMOTE_PLATFORM) -> KernelSpec:
    """``spec`` installing exactly ``lock``: pinned pip lines, exact conda builds and channels."""
    channels, conda = conda_lines(lock, platform)
    pins = tuple(pip_lines(lock, platform))
    return dataclasses.replace(spec, pip=pins, conda=tuple(conda), channels=tuple(channels))


def _stored(environment: Environment, spec: KernelSpec) -> Lock | None:
    """The lock stored with the registry version ``environment`` names, if it is this kernel's."""
    if not environment.version:
        return None
    from envyard.client import Client

    try:
        with Client.from_settings() as client:
            found = client.environments.lock(f"{environment.name}@{environment.version}")
    except EnvyardError:  # not in the registry (an environment file): its own lock is used
        return None
    if found.lock is None or found.spec_hash != f"sha256:{spec.content_hash}":
        return None
    return found.lock


def lock_of(
    environment: Environment,
    env: Mapping[str, str] | None = None,
    *,
    cache_root: Path | None = None,
    rebuild: bool = False,
) -> Lock | None:
    """The lock ``environment`` installs (None when it has no kernel); ``rebuild`` locks a
    spec without a stored lock again instead of reusing the one kept for it."""
    from envyard.launch.kernelspec import kernel_spec

    spec = kernel_spec(environment)
    if spec is None:
        return None
    stored = _stored(environment, spec)
    if stored is not None:
        return stored
    from envyard.launch.local import kernel_lock
    from envyard.settings import load_settings

    values = dict(os.environ if env is None else env)
    root = cache_root or load_settings().kernel_cache
    return kernel_lock(spec, root, values, rebuild=rebuild)


def with_locks(submission: Submission) -> Submission:
    """``submission`` with the lock of every task role whose environment has a kernel."""
    locks = dict(submission.locks)
    for role in submission.roles:
        environment = submission.environments.get(role)
        if role not in locks and environment is not None:
            found = lock_of(environment)
            if found is not None:
                locks[role] = found
    return dataclasses.replace(submission, locks=locks)


def write_pins(submission: Submission, folder: Path) -> dict[str, Path]:
    """``<role>.requirements.txt`` in ``folder`` for each role whose lock has pip packages:
    the job bootstrap creates the kernel from it when ``ENVYARD_KERNEL_REQUIREMENTS`` names it."""
    written = {}
    for role, lock in submission.locks.items():
        pins = pip_lines(lock)
        if pins and role in submission.roles:
            path = folder / f"{role}.requirements.txt"
            path.write_text("".join(f"{p}\n" for p in pins), encoding="utf-8")
            written[role] = path
    return written
