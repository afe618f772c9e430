"""The pydantic models of the lock file: the verdict on lock files that are not plain.

:mod:`envyard.assets.pinning.lock` reads the lock files Envyard writes (exact JSON types) without
pydantic; anything else - a hand-edited file, numbers written as strings - is validated here,
so it is accepted (converted) or refused exactly as before.
"""

from __future__ import annotations

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
