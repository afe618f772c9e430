"""The lock file (``envyard.lock.json``): what every tag resolved to, and the source hash.

Written by ``envyard asset pin`` next to the pinned build context and, on release, into the
released asset's folder on the release branch. ``source_hash`` is the content hash of the
asset's files and release paths on main: when it matches, the asset is unchanged and no
network lookup is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LOCK_VERSION = 1


class LockEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(description="Template file, relative to the asset folder.")
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

    def dumps(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=False) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> LockFile | None:
        """The lock, or None when it is unreadable or from another lock version."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
                return None
            return cls.model_validate(data)
        except (ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        from envyard.assets.fsutil import atomic_write

        atomic_write(path, self.dumps())
