"""What a staging computes before writing: one :class:`FilePlan` per file, the whole :class:`Plan`,
and the :class:`StagedSpecs` handed back once written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from envyard.errors import Diagnostic
from envyard.overrides.matching.rules import Change
from envyard.overrides.profiles.targets import ResolvedTarget
from envyard.overrides.staging.scope import Scope


@dataclass
class FilePlan:
    real: Path
    rel_text: str
    """The path relative to the staging folder (``rel`` as a Path, made when first asked for:
    thousands of Path objects cost more than the writes)."""
    text: str | None = None
    new_text: str | None = None
    raw: bytes | None = None
    is_dir: bool = False
    changes: list[Change] = field(default_factory=list)
    bom: bool = False
    lines: list[int] = field(default_factory=list)
    """For each change, its line in the original file (the nearest parent's for a new field)."""

    @property
    def changed(self) -> bool:
        return self.new_text is not None and self.new_text != self.text

    @cached_property
    def rel(self) -> Path:
        return Path(self.rel_text)


@dataclass
class Plan:
    """Everything a staging would write, computed without writing."""

    scope: Scope
    target: ResolvedTarget | None
    files: list[FilePlan]
    warnings: list[Diagnostic]
    notes: list[str] = field(default_factory=list)
    """What the profile's settings decided, for people (``allow_override: false``...)."""


@dataclass
class StagedSpecs:
    """The result of staging: where each original's copy is and what changed in it."""

    root: Path
    paths: Mapping[Path, Path]
    """Original (as named, and as found) -> its staged copy."""
    changes: dict[Path, list[Change]]
    warnings: list[Diagnostic]
    plan: Plan
