"""References to registry objects: ``name`` (the current version) or ``name@version``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from envyard.errors import SpecError
from envyard.spec.environment import NAME_PATTERN

_NAME = re.compile(NAME_PATTERN)
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


@dataclass(frozen=True)
class Ref:
    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def check_name(name: str, what: str = "name") -> str:
    if not _NAME.match(name):
        raise SpecError.at(
            "<input>",
            f"'{name}' is not a valid {what}",
            field="name",
            hint="use letters, digits, '.', '_' and '-', starting with a letter or digit",
        )
    return name


def check_version(version: str) -> str:
    if not _VERSION.match(version):
        raise SpecError.at(
            "<input>",
            f"'{version}' is not a valid version",
            field="version",
            hint="use letters, digits, '.', '_', '+' and '-' (e.g. 3 or 1.2.0)",
        )
    return version


def parse_ref(text: str) -> Ref:
    """``team-default`` or ``team-default@3``; raises SpecError for anything else."""
    name, sep, version = text.strip().partition("@")
    check_name(name)
    if sep:
        return Ref(name, check_version(version))
    return Ref(name)
