"""Package-level differences between two locks: added, removed, upgraded, downgraded."""

from __future__ import annotations

from typing import Literal

from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict

from envyard.locking.model import Lock

__all__ = ["Change", "LockDiff", "diff_locks"]

ChangeKind = Literal["added", "removed", "upgraded", "downgraded", "changed"]


class Change(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    change: ChangeKind
    source: str  # conda or pip
    old: str | None = None
    new: str | None = None


class LockDiff(BaseModel):
    """What changes from ``old`` to ``new`` on ``platform`` (unchanged packages left out)."""

    model_config = ConfigDict(frozen=True)

    old: str
    new: str
    platform: str
    changes: tuple[Change, ...]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.change == kind)

    def text(self) -> str:
        """As lines, for the terminal: ``^ name 1.0 -> 2.0 (upgraded, pip)``, then the counts."""
        signs = {"added": "+", "removed": "-", "upgraded": "^", "downgraded": "v", "changed": "~"}
        lines = [f"packages {self.old} -> {self.new} ({self.platform}):"]
        for change in self.changes:
            versions = " -> ".join(v for v in (change.old, change.new) if v)
            sign, kind = signs[change.change], change.change
            lines.append(f"{sign} {change.name} {versions} ({kind}, {change.source})")
        kinds = [c.change for c in self.changes]
        lines.append(
            ", ".join(f"{kinds.count(k)} {k}" for k in signs if k in kinds) or "no changes"
        )
        return "\n".join(lines) + "\n"


def _order(old: str, new: str) -> ChangeKind:
    try:
        a, b = Version(old), Version(new)
    except InvalidVersion:
        return "changed"
    if a == b:
        return "changed"
    return "upgraded" if b > a else "downgraded"


def diff_locks(
    old: Lock | None, new: Lock | None, *, old_ref: str, new_ref: str, platform: str
) -> LockDiff:
    """The changes from *old* to *new* on *platform* (a missing lock has no packages)."""
    before = old.packages(platform) if old and platform in old.platforms else {}
    after = new.packages(platform) if new and platform in new.platforms else {}
    changes: list[Change] = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            version, source = after[name]
            changes.append(Change(name=name, change="added", source=source, new=version))
        elif name not in after:
            version, source = before[name]
            changes.append(Change(name=name, change="removed", source=source, old=version))
        elif before[name] != after[name]:
            (old_version, _), (new_version, source) = before[name], after[name]
            kind = _order(old_version, new_version)
            changes.append(
                Change(name=name, change=kind, source=source, old=old_version, new=new_version)
            )
    return LockDiff(old=old_ref, new=new_ref, platform=platform, changes=tuple(changes))
