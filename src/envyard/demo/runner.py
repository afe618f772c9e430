"""Runs the demo's steps in order and prints one line per step and a summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from envyard.errors import EnvyardError


def examples_dir() -> Path:
    """The bundled examples: packaged in the wheel, or the repository's folder in a checkout."""
    packaged = Path(__file__).parents[1] / "_examples"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).parents[3] / "examples"
    if checkout.is_dir():
        return checkout
    raise EnvyardError(
        "the bundled examples are missing from this installation",
        hint="reinstall Envyard (pip install --force-reinstall envyard)",
    )


@dataclass
class Workspace:
    """The demo's temporary world: a copy of the examples and an ENVYARD_HOME."""

    root: Path
    examples: Path
    home: Path
    console: Console
    facts: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    capability: str
    ok: bool
    line: str
    seconds: float = 0.0


Step = Callable[[Workspace], str]


def run_demo(workspace: Workspace, steps: list[tuple[str, Step]]) -> list[StepResult]:
    """Run every step; a failing step is reported and the next steps still run."""
    results = []
    for capability, step in steps:
        started = time.perf_counter()
        try:
            line, ok = step(workspace), True
        except EnvyardError as exc:
            line, ok = f"failed: {exc}", False
        took = time.perf_counter() - started
        mark = "[green]ok[/]" if ok else "[red]FAILED[/]"
        workspace.console.print(
            f"{mark} [bold]{capability}[/] {escape(line)} [dim]({took:.1f}s)[/]", soft_wrap=True
        )
        results.append(StepResult(capability, ok, line, took))
    return results
