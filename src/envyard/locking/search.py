"""Which locks hold a package: ``pandas``, ``torch>=2``, ``numpy==1.26.*``."""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict

from envyard.errors import SpecError
from envyard.locking.model import Lock

__all__ = ["PackageMatch", "matches", "parse_query"]


class PackageMatch(BaseModel):
    """One environment version whose lock holds a matching package."""

    model_config = ConfigDict(frozen=True)

    ref: str
    package: str
    version: str
    source: str
    platform: str


def parse_query(query: str) -> Requirement:
    """A PEP 508 requirement (``torch>=2``); a user error naming the query when it is not."""
    try:
        return Requirement(query.strip())
    except InvalidRequirement as exc:
        raise SpecError.at(
            "<query>",
            f"'{query}' is not a package query: {exc}",
            field="package",
            hint="a name with an optional version constraint, e.g. pandas or torch>=2",
        ) from None


def matches(ref: str, lock: Lock, wanted: Requirement) -> list[PackageMatch]:
    """The packages of *lock* (each platform) that satisfy *wanted*."""
    name = canonicalize_name(wanted.name)
    found: list[PackageMatch] = []
    for platform in lock.platforms:
        for package, (version, source) in lock.packages(platform).items():
            if canonicalize_name(package) != name:
                continue
            try:
                ok = wanted.specifier.contains(Version(version), prereleases=True)
            except InvalidVersion:
                ok = not wanted.specifier
            if ok:
                found.append(
                    PackageMatch(
                        ref=ref, package=package, version=version, source=source, platform=platform
                    )
                )
    return found
