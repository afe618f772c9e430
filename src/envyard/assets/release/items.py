"""What a release plan holds: one :class:`PlanItem` per asset, in a :class:`ReleasePlan`, and
the version arithmetic both layouts share (``auto``: 1-up from the highest released)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from envyard.assets.discovery.model import Asset
from envyard.assets.pinning.lock import LockFile
from envyard.errors import Diagnostic

Status = Literal["new", "updated", "unchanged", "skipped", "removed"]


@dataclass
class PlanItem:
    key: str
    name: str
    type: str
    status: Status
    version: str | None
    previous: str | None = None
    reason: str = ""
    asset: Asset | None = None
    files: list[Path] = field(default_factory=list)
    source_hash: str = ""
    released: LockFile | None = None
    released_dir: str = ""
    layout_files: dict[str, Path] = field(default_factory=dict)
    """``latest`` layout: path in the released folder -> source file."""
    old_files: list[str] = field(default_factory=list)
    """``latest`` layout: the files of the released copy (repository paths)."""

    @property
    def changes(self) -> bool:
        return self.status in ("new", "updated", "removed")

    def line(self) -> str:
        version = self.version or "-"
        if self.previous and self.previous != self.version:
            version = f"{self.previous} -> {version}"
        text = f"{self.status:<9} {self.type}/{self.name}  {version}"
        return text + (f"  ({self.reason})" if self.reason else "")


@dataclass
class ReleasePlan:
    repo: Path
    branch: str
    head: str | None
    items: list[PlanItem]
    tags: dict[str, str]
    tag_prefix: str = "environment"
    layout: Literal["envyard", "latest"] = "envyard"
    """``latest``: the azureml-assets layout (``latest/<type>/<name>/``); see release_latest."""
    dirty: bool = False
    """The source work tree has uncommitted changes (they are released as they are)."""
    upstream: str | None = None
    """The remote-tracking branch (``origin/release``) ``head`` is from: the local branch does
    not exist yet and the release creates it there, as ``git switch`` would."""
    stale: str | None = None
    """Why the local branch looks out of date (a remote's branch has commits it lacks)."""
    warnings: list[Diagnostic] = field(default_factory=list)
    """What a ``--publish`` of this plan would refuse, located (a ``DeleteOn`` not a date)."""

    def by_status(self, status: Status) -> list[PlanItem]:
        return [i for i in self.items if i.status == status]

    @property
    def has_changes(self) -> bool:
        return any(i.changes for i in self.items)

    def tag_for(self, item: PlanItem) -> str:
        prefix = self.tag_prefix if item.type == "environment" else item.type
        return f"{prefix}/{item.name}/{item.version}"

    def summary(self) -> str:
        counts = {
            s: len(self.by_status(s)) for s in ("new", "updated", "unchanged", "skipped", "removed")
        }
        return ", ".join(f"{n} {s}" for s, n in counts.items())

    def render(self) -> str:
        """The plan: counts, then one line per asset that is not unchanged."""
        head = self.head[:12] if self.head else "(new branch)"
        if self.upstream:
            head += f" (from {self.upstream}; the local branch is created)"
        layout = " (layout latest/<type>/<name>/)" if self.layout == "latest" else ""
        lines = [f"release plan for branch '{self.branch}' at {head}{layout}: {self.summary()}"]
        lines += ["  " + item.line() for item in self.items if item.status != "unchanged"]
        if self.stale:
            lines.append(f"warning: {self.stale}")
        lines += [f"warning: {d.render()}" for d in self.warnings]
        if self.dirty:
            lines.append(
                "note: the work tree has uncommitted changes; they are released as they are"
            )
        return "\n".join(lines)


def tag_versions(tags: dict[str, str], prefix: str, name: str) -> list[int]:
    start = f"refs/tags/{prefix}/{name}/"
    return [
        int(ref[len(start) :])
        for ref in tags
        if ref.startswith(start) and ref[len(start) :].isdigit()
    ]


def as_int(version: str | None) -> int:
    return int(version) if version and version.isdigit() else 0


def next_version(asset: Asset, tags: dict[str, str], prefix: str, *floor: str | None) -> str:
    tag_prefix = prefix if asset.type == "environment" else asset.type
    highest = max([as_int(v) for v in floor] + tag_versions(tags, tag_prefix, asset.name))
    return str(highest + 1)
