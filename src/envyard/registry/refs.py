"""References to registry objects: ``name`` (the current version) or ``name@version``.

Names follow the one rule of :mod:`envyard.names` (a full match: ``seed\\n`` is not ``seed``).
A new name that breaks it is a user error (HTTP 422); a *reference* that breaks it names
nothing, so looking it up is "not found" (HTTP 404), never another object. :func:`check_text`
refuses text no metastore can hold (a NUL character).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from envyard.errors import NotFoundError, SpecError
from envyard.names import NAME_HINT, check_name, is_name

_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")

__all__ = ["Ref", "check_name", "check_text", "check_version", "parse_ref"]


@dataclass(frozen=True)
class Ref:
    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name}@{self.version}"


def check_version(version: str) -> str:
    if not _VERSION.fullmatch(version):
        raise SpecError.at(
            "<input>",
            f"'{version}' is not a valid version",
            field="version",
            hint="use letters, digits, '.', '_', '+' and '-' (e.g. 3 or 1.2.0)",
        )
    return version


def parse_ref(text: str) -> Ref:
    """``team-default`` or ``team-default@3``; anything else names nothing (NotFoundError)."""
    name, sep, version = text.partition("@")
    if not is_name(name) or (sep and not _VERSION.fullmatch(version)):
        raise NotFoundError(
            f"'{text[:140]}' is not a valid reference, so nothing has it",
            hint=f"write NAME or NAME@VERSION; for the name {NAME_HINT}",
        )
    return Ref(name, version if sep else None)


def check_text(value: Any, field: str, file: str = "<input>") -> None:
    """Refuse a NUL character anywhere in *value* (a string, or a document's keys and strings):
    PostgreSQL's text and JSON cannot hold one, so no metastore gets one (422, the field named)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise SpecError.at(
                file,
                "a NUL character (\\x00) is not allowed here",
                field=field,
                hint="remove it: no text in the registry may contain NUL",
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{field}.{key}" if field else str(key)
            check_text(key, path.replace("\x00", "\\x00"), file)
            check_text(item, path, file)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_text(item, f"{field}[{index}]", file)
