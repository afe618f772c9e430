"""A launch request and its plan, shared by every engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from envyard.launch.steps import Step, render_steps
from envyard.spec.environment import Environment

if TYPE_CHECKING:
    from envyard.locking.model import Lock

__all__ = ["LaunchPlan", "LaunchRequest", "Network"]

Network = Literal["none", "host"]


@dataclass(frozen=True)
class LaunchRequest:
    """Run ``command`` in ``environment`` (shown to users as ``ref``).

    ``env`` is the environment of the processes Envyard starts (installers, the command,
    podman); ``cache_root`` is where kernels are cached; ``lock`` is the registry version's
    lock (a spec file has none: the local engine locks it on first use). The container
    options are ignored by the local engine.
    """

    environment: Environment
    ref: str
    command: tuple[str, ...]
    env: Mapping[str, str]
    cache_root: Path
    network: Network = "none"
    volumes: tuple[str, ...] = ()
    env_vars: tuple[str, ...] = ()
    use_image_entrypoint: bool = False
    workdir: str | None = None
    rebuild: bool = False  # local engine: build the kernel again even if it is cached
    lock: Lock | None = None  # the version's stored lock (None: locked at launch, see local)


@dataclass(frozen=True)
class LaunchPlan:
    """What a launch will run: setup steps, then the command step."""

    engine: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default=())

    def render(self) -> str:
        head = "".join(f"# {note}\n" for note in self.notes)
        return f"# engine: {self.engine}\n{head}{render_steps(self.steps)}"
