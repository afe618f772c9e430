"""The lock file (``envyard.lock.json``): what every tag resolved to, and the source hash.

Written by ``envyard asset pin`` next to the pinned build context and, on release, into the
released asset's folder on the release branch (Envyard's own layout). ``source_hash`` is the
content hash of the asset's files and release paths on main: when it matches, the asset is
unchanged and no network lookup is needed. One pydantic model per part of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

LOCK_VERSION = 1


class LockEntry(BaseModel):
    """One template tag: where it was, what it asked, what it became (or why it was left)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(
        description="Template file, relative to the asset folder (``../`` when the build "
        "context is elsewhere in the repository)."
    )
    line: int
    col: int
    tag: str
    kind: str
    subject: str = Field(description="The image or package looked up.")
    status: Literal["resolved", "skipped"]
    value: str | None = None
    digest: str | None = None
    source: str | None = Field(default=None, description="Registry or index that answered.")
    reason: str | None = Field(default=None, description="Why the tag was skipped.")


class LockFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lock_version: int = LOCK_VERSION
    asset: str
    type: str
    version: str | None = None
    source_hash: str
    files: list[str] = Field(default_factory=list, description="Released files (repo paths).")
    entries: list[LockEntry] = Field(default_factory=list)

    @property
    def skipped(self) -> list[LockEntry]:
        return [e for e in self.entries if e.status == "skipped"]

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()

    def dumps(self) -> str:
        return json.dumps(self.as_dict(), indent=2, sort_keys=False) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> LockFile | None:
        """The lock, or None when it is unreadable, invalid or from another lock version."""
        try:
            data = json.loads(text)
        except (ValueError, TypeError):
            return None
        if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
            return None
        try:
            return cls.model_validate(data)
        except ValidationError:
            return None

    def write(self, path: Path) -> None:
        from envyard.atomicfile import write_atomic

        write_atomic(path, self.dumps())
