"""A problem found by a check that runs after a file's model validated (cross-references)."""

from __future__ import annotations

from dataclasses import dataclass

from envyard.errors import Severity


@dataclass(frozen=True)
class Finding:
    """``path`` is where in the file; ``key`` points at the key itself rather than its value."""

    path: tuple[str | int, ...]
    message: str
    hint: str | None = None
    severity: Severity = "error"
    key: bool = False
