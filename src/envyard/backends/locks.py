"""The lock on the way to remote places: exact pins for Ray, containers and Kubernetes.

A remote place cannot use this machine's kernel cache, so it gets the lock in the form its own
installer takes:

- :func:`pip_lines`: a requirements file of the lock's pip packages for one platform, each
  ``name==version`` with the sha256 of every file of that version (pip's hash-checking mode:
  nothing else can be installed), after the index options the lock was resolved from. Ray's
  runtime_env ``pip`` list and the bootstrap's ``requirements.txt`` are such files.
- :func:`conda_lines`: the lock's conda packages as exact ``name==version=build`` specs and
  their channel URLs (Ray's runtime_env ``conda``; a Ray node needs conda for those).
- :func:`lock_of`: the lock of an environment: the one stored with its registry version when
  there is one, else the spec's lock kept in the kernel cache (made on first use, as
  ``env launch -f`` does).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from envyard.locking.model import Lock
    from envyard.spec.environment import Environment

__all__ = ["REMOTE_PLATFORM", "conda_lines", "index_lines", "lock_of", "pip_lines", "platform_of"]

REMOTE_PLATFORM = "linux-64"  # Ray nodes, containers and pods run Linux x86-64 unless told


def platform_of(lock: Lock, wanted: str = REMOTE_PLATFORM) -> str:
    """``wanted`` when the lock has it, else the lock's only platform (a clear error if not)."""
    if wanted in lock.platforms or len(lock.platforms) != 1:
        return wanted
    return next(iter(lock.platforms))


def index_lines(lock: Lock) -> list[str]:
    """Index options of a requirements file: the lock's first index, then the others.

    A source that is a folder (a local ``--find-links``) stays a ``--find-links``; only with
    no http index at all is ``--no-index`` added, as the kernel said.
    """
    lines: list[str] = []
    primary = True
    for source in lock.indexes:
        if "://" not in source or source.startswith("file:"):
            lines.append(f"--find-links {source}")
        elif primary:
            lines.append(f"--index-url {source}")
            primary = False
        else:
            lines.append(f"--extra-index-url {source}")
    if primary and lock.indexes:
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
        digests = sorted({f.sha256 for f in files if f.sha256})
        hashed = hashed and bool(digests)
        pins.append((f"{package.name}=={package.version}", digests))
    # hash-checking mode needs a hash on every line: without one somewhere, pins only
    lines = [
        pin + "".join(f" --hash=sha256:{d}" for d in digests if hashed) for pin, digests in pins
    ]
    return [*index_lines(lock), *lines]


def conda_lines(lock: Lock, platform: str = REMOTE_PLATFORM) -> tuple[list[str], list[str]]:
    """``(channels, specs)``: the lock's conda packages pinned to their exact builds."""
    packages = lock.for_platform(platform_of(lock, platform)).conda
    specs = [f"{p.name}=={p.version}={p.build}" for p in packages]
    channels = list(dict.fromkeys([*lock.channels, *(p.channel for p in packages)]))
    return channels, specs


def lock_of(environment: Environment, env: Mapping[str, str] | None = None) -> Lock | None:
    """The lock ``environment`` installs (None when it has no kernel)."""
    from envyard.launch.kernelspec import kernel_spec

    spec = kernel_spec(environment)
    if spec is None:
        return None
    stored = getattr(environment, "lock", None)
    if stored is not None:
        return stored  # type: ignore[no-any-return]
    from envyard.launch.local import kernel_lock
    from envyard.settings import load_settings

    values = dict(os.environ if env is None else env)
    return kernel_lock(spec, load_settings().kernel_cache, values)
