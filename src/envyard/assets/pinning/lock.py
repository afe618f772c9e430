"""The lock file (``envyard.lock.json``): what every tag resolved to, and the source hash.

Written by ``envyard asset pin`` next to the pinned build context and, on release, into the
released asset's folder on the release branch. ``source_hash`` is the content hash of the
asset's files and release paths on main: when it matches, the asset is unchanged and no
network lookup is needed.

The entries are frozen dataclasses: planning a release reads hundreds of lock files, and the
files Envyard writes are checked field by field without pydantic (~120 ms of start-up). A
lock file with anything else in it goes through the pydantic model in ``lock_schema``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

LOCK_VERSION = 1

_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "file": (str,),
    "line": (int,),
    "col": (int,),
    "tag": (str,),
    "kind": (str,),
    "subject": (str,),
    "status": (str,),
    "value": (str, type(None)),
    "digest": (str, type(None)),
    "source": (str, type(None)),
    "reason": (str, type(None)),
}
_ENTRY_REQUIRED = frozenset(("file", "line", "col", "tag", "kind", "subject", "status"))
_LOCK_TYPES: dict[str, tuple[type, ...]] = {
    "lock_version": (int,),
    "asset": (str,),
    "type": (str,),
    "version": (str, type(None)),
    "source_hash": (str,),
    "files": (list,),
    "entries": (list,),
}
_LOCK_REQUIRED = frozenset(("asset", "type", "source_hash"))


@dataclass(frozen=True, kw_only=True)
class LockEntry:
    file: str
    """Template file, relative to the asset folder."""
    line: int
    col: int
    tag: str
    kind: str
    subject: str
    """The image or package looked up."""
    status: Literal["resolved", "skipped"]
    value: str | None = None
    digest: str | None = None
    source: str | None = None
    """Registry or index that answered."""
    reason: str | None = None
    """Why the tag was skipped."""


@dataclass(frozen=True, kw_only=True)
class LockFile:
    lock_version: int = LOCK_VERSION
    asset: str
    type: str
    version: str | None = None
    source_hash: str
    files: list[str] = field(default_factory=list)
    """Released files (repo paths)."""
    entries: list[LockEntry] = field(default_factory=list)

    @property
    def skipped(self) -> list[LockEntry]:
        return [e for e in self.entries if e.status == "skipped"]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def dumps(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> LockFile | None:
        """The lock, or None when it is unreadable or from another lock version."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
            return None
        return _plain_lock(data) or _validated_lock(data)

    def write(self, path: Path) -> None:
        from envyard.atomicfile import write_atomic

        write_atomic(path, self.dumps())


def _exact(
    data: dict[str, Any], types: dict[str, tuple[type, ...]], required: frozenset[str]
) -> bool:
    return (
        data.keys() <= types.keys()
        and required <= data.keys()
        and all(type(value) in types[key] for key, value in data.items())
    )


def _plain_lock(data: dict[str, Any]) -> LockFile | None:
    """The lock when every value has exactly the JSON type Envyard writes, else None."""
    if not _exact(data, _LOCK_TYPES, _LOCK_REQUIRED):
        return None
    files = data.get("files", [])
    entries = data.get("entries", [])
    if any(type(f) is not str for f in files):
        return None
    for entry in entries:
        if type(entry) is not dict or not _exact(entry, _ENTRY_TYPES, _ENTRY_REQUIRED):
            return None
        if entry["status"] not in ("resolved", "skipped"):
            return None
    return LockFile(**{**data, "files": list(files), "entries": [LockEntry(**e) for e in entries]})


def _validated_lock(data: dict[str, Any]) -> LockFile | None:
    """pydantic's verdict (and conversions) on a lock file that is not plain."""
    from pydantic import ValidationError

    from envyard.assets.pinning.lock_schema import LockFile as LockFileModel

    try:
        model = LockFileModel.model_validate(data)
    except ValidationError:
        return None
    dumped = model.model_dump()
    entries = [LockEntry(**e) for e in dumped.pop("entries")]
    return LockFile(**dumped, entries=entries)
