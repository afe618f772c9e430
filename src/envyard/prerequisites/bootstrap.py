"""A rendered task role (:class:`Bootstrap`): what :mod:`.render` produces and a backend runs.

Plain data, so :mod:`envyard.backends.interface` can name it without importing the renderer
(which loads prerequisite plugins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from envyard.errors import Diagnostic
from envyard.prerequisites.kernel import KernelPlan

__all__ = ["Bootstrap"]


@dataclass(frozen=True)
class Bootstrap:
    """A rendered task role: the script and what a backend needs to run it."""

    job: str
    task_role: str
    instances: int
    script: str
    prerequisites: tuple[str, ...]
    image: str | None
    kernel: KernelPlan | None
    pip_requirements: tuple[str, ...]
    secrets: Mapping[str, str] = field(default_factory=dict)  # env var -> secret key
    values: Mapping[str, str] = field(default_factory=dict)  # env var -> outside value
    warnings: tuple[Diagnostic, ...] = ()  # references left as written
    host_paths: tuple[str, ...] = ()
    """Paths of this machine the prerequisites read when they run (local data, repositories)."""
