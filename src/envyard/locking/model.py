"""The lock of an environment version: exact packages, files and hashes, per platform.

A :class:`Lock` is resolved once, when a version is created (``env create``/``update``/
``import-conda``/``asset release --publish``/``relock``), stored with the version and never
changed. Installing it needs no resolver: every package names the exact file (URL) and its
sha256. Its :meth:`Lock.digest` (the *lock hash*) keys the kernel cache, so two versions with the
same lock share one materialised kernel.

JSON shape (``envyard env lock REF --format json``)::

    {"format": 1, "spec_hash": "sha256:...", "python": "3.11",
     "channels": ["https://conda.anaconda.org/conda-forge"], "indexes": ["https://..."],
     "platforms": {"linux-64": {"conda": [CondaPackage...], "pip": [PipPackage...]}}}

A pip package records its ``source`` (``index`` or ``find-links``) since it was added; older
locks load with ``None`` and keep their hash.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LOCK_FORMAT", "Artifact", "CondaPackage", "Lock", "PipPackage", "PlatformLock"]

LOCK_FORMAT = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Artifact(_Frozen):
    """One file of a pip package (a wheel or the sdist): where it is and its sha256."""

    url: str
    sha256: str
    size: int | None = None


class PipPackage(_Frozen):
    """A pip package pinned to one version; installers pick the matching wheel by tags."""

    name: str = Field(description="Normalised distribution name (PEP 503).")
    version: str
    wheels: tuple[Artifact, ...] = ()
    sdist: Artifact | None = None
    source: Literal["index", "find-links"] | None = Field(
        default=None,
        description="Where the resolver found it: a package index or a find-links location "
        "(pip's --find-links); None in locks made before it was recorded. Derived from the "
        "files' URLs, so not part of the lock hash.",
    )


class CondaPackage(_Frozen):
    """A conda package pinned to one build of one file of one channel (its repodata record)."""

    name: str
    version: str
    build: str
    build_number: int = 0
    subdir: str = Field(description="linux-64, noarch...")
    channel: str = Field(description="Channel URL the package was resolved from.")
    url: str = Field(description="URL of the package file.")
    file_name: str
    sha256: str
    md5: str | None = None
    size: int | None = None
    depends: tuple[str, ...] = ()
    constrains: tuple[str, ...] = ()
    noarch: Literal["generic", "python"] | None = None
    license: str | None = None


class PlatformLock(_Frozen):
    """What one platform installs: conda packages first (into the prefix), then pip ones."""

    conda: tuple[CondaPackage, ...] = ()
    pip: tuple[PipPackage, ...] = ()


_DERIVED = {"platforms": {"__all__": {"pip": {"__all__": {"source"}}}}}


class Lock(_Frozen):
    """The exact packages of a kernel, per platform. Immutable once stored with a version."""

    format: Literal[1] = 1
    spec_hash: str = Field(description="sha256 of the kernel it was resolved from.")
    python: str | None = Field(
        default=None, description="Python X.Y the pip part was resolved for (None: no pip)."
    )
    channels: tuple[str, ...] = Field(default=(), description="Conda channel URLs, in order.")
    indexes: tuple[str, ...] = Field(
        default=(), description="Package indexes and find-links the pip part was resolved from."
    )
    platforms: dict[str, PlatformLock] = Field(
        description="Platform (linux-64, osx-arm64...) -> its packages."
    )

    def digest(self) -> str:
        """The lock hash: sha256 of the lock's canonical JSON (without each pip package's
        ``source``, which its URLs already determine: a lock made before ``source`` was recorded
        keeps its hash, and relocking it to the same files makes no new version)."""
        data = self.model_dump(mode="json", exclude=_DERIVED)
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()

    def for_platform(self, platform: str) -> PlatformLock:
        """The packages of *platform* (a user error naming the locked ones when missing)."""
        from envyard.errors import NotFoundError

        found = self.platforms.get(platform)
        if found is None:
            raise NotFoundError(
                f"the lock has no packages for {platform} (locked: {', '.join(self.platforms)})",
                hint=f"make a version locked for it: `envyard env relock NAME --platform "
                f"{platform}`",
            )
        return found

    def packages(self, platform: str | None = None) -> dict[str, tuple[str, str]]:
        """``name -> (version, source)`` of one platform (the first when None)."""
        chosen = self.platforms[platform] if platform else next(iter(self.platforms.values()))
        found: dict[str, tuple[str, str]] = {c.name: (c.version, "conda") for c in chosen.conda}
        found.update({p.name: (p.version, "pip") for p in chosen.pip})
        return found
