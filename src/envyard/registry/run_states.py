"""A run's states, one definition for the metastore, the backends, the CLI and the web UI.

Imports nothing, so the CLI can build its ``--state`` choices without loading the registry.
"""

from __future__ import annotations

from typing import Literal

RunState = Literal["pending", "running", "succeeded", "failed", "cancelled"]
RUN_STATES: tuple[RunState, ...] = ("pending", "running", "succeeded", "failed", "cancelled")
FINAL_STATES: frozenset[str] = frozenset({"succeeded", "failed", "cancelled"})
"""A run in one of these has ended and never changes state again."""
