"""A job backend by name, and a stored run's handle rebuilt through its backend's ``attach``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from envyard import plugins
from envyard.backends.interface import Backend, Handle
from envyard.errors import ExecutionError
from envyard.registry.records import RunRecord

__all__ = ["backend_for", "handle_of"]


def backend_for(name: str, settings: Mapping[str, Any] | None = None) -> Backend:
    return plugins.backend(name, "job", settings)


def handle_of(run: RunRecord) -> Handle:
    """The handle of a stored run (through its backend's ``attach``)."""
    data = dict(run.handle or {})
    if not data:
        raise ExecutionError(f"run {run.id} was never submitted (state {run.state})")
    return backend_for(str(data.get("backend", run.backend)), data.get("settings")).attach(data)
