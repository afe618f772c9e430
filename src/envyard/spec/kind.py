"""What a kind of spec file is: its model, how it is recognised, its extra checks.

Kept apart from ``kinds.py`` (the table of every kind) so that loading one kind does not
import the pydantic models of all the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from envyard.spec.findings import Finding

Check = Callable[[Any], list[Finding]]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[BaseModel]
    summary: str
    filenames: tuple[str, ...] = ()
    detect: Callable[[dict[str, Any]], bool] | None = None
    check: Check | None = None
    """Cross-reference checks on the validated model."""
    raw_check: Check | None = None
    """Checks on the raw data; they run even when the model does not validate."""
