"""What a notebook backend is given: planned jobs, the run options and a progress listener.

Plain data with no behaviour, so :mod:`envyard.backends.interface` can name them without
importing the planner or the runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from envyard.notebooks.choice import KernelChoice
from envyard.notebooks.inject import Injection
from envyard.notebooks.results import NotebookResult
from envyard.spec.notebooks import NotebookSettings

__all__ = ["DEFAULT_TIMEOUT", "Job", "KernelPlan", "Listener", "RunOptions"]

DEFAULT_TIMEOUT = 600.0


@dataclass(frozen=True)
class KernelPlan:
    choice: KernelChoice
    env: dict[str, str] = field(default_factory=dict)
    image: str | None = None  # the environment's image (container backend)
    environment: str | None = None  # "name@version" when from the registry


@dataclass
class Job:
    number: int
    path: Path
    shown: str
    settings: NotebookSettings
    nb: NotebookNode
    kernel: KernelPlan
    injection: Injection
    timeout: float | None = DEFAULT_TIMEOUT
    sources: tuple[Path, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    allow_errors: bool = False  # the notebook's metadata.execution.allow_errors


@dataclass
class RunOptions:
    workers: int = 2
    output_dir: Path | None = None
    grace: float = 2.0
    startup_timeout: float = 60.0
    fork: bool = True  # Python kernels from a fork server (else python -m ipykernel_launcher)
    in_place: bool = False  # run in the notebook's own folder (already a snapshot: remote jobs)


Listener = Callable[[str, Job | NotebookResult], None]
"""Called with ("start", job) and ("done", result)."""
