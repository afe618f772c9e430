"""Runs the demo's steps in order and prints one line per step and a summary."""

from __future__ import annotations

import os
import shutil
import tempfile
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


def prepare_workspace(workdir: Path | None, console: Console) -> Workspace:
    """A new workspace with a copy of the examples and its own ENVYARD_HOME (this process).

    A given ``workdir`` must be new or empty: the demo never overwrites a user's files.
    """
    if workdir is not None and workdir.exists() and any(workdir.iterdir()):
        raise EnvyardError(
            f"{workdir} is not empty; the demo only writes into a new or empty folder",
            hint="pick another --workdir, or leave it out to use a temporary folder",
        )
    root = workdir or Path(tempfile.mkdtemp(prefix="envyard-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    examples = root / "examples"
    shutil.copytree(examples_dir(), examples)
    home = root / "home"
    os.environ["ENVYARD_HOME"] = str(home)  # the demo's own metastore, kernels and runs
    for name in ("ENVYARD_DB_URL", "ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_TARGET"):
        os.environ.pop(name, None)
    offline_packages(root / "wheels", root / "uv-cache")
    return Workspace(root=root, examples=examples, home=home, console=console)


DEMO_WHEELS = (("six", "1.16.0"), ("six", "1.17.0"))
"""Tiny stand-ins for the packages the example kernels name (they only carry __version__)."""


def offline_packages(wheels: Path, cache: Path) -> None:
    """Lock and install the demo's kernels from a local folder of tiny wheels, offline.

    Environments are locked when they are created; the demo's kernels resolve against
    ``wheels`` only (``UV_FIND_LINKS``, and ``UV_OFFLINE`` so no index is ever asked) with a
    private uv cache, so it needs no network and leaves nothing in the user's caches.
    """
    from envyard.testing.wheels import build_wheel

    for name, version in DEMO_WHEELS:
        build_wheel(wheels, name, version, summary="A stand-in built by `envyard demo`")
    for name in [n for n in os.environ if n.startswith("UV_")]:
        os.environ.pop(name)
    os.environ.update(
        {"UV_OFFLINE": "1", "UV_FIND_LINKS": str(wheels), "UV_CACHE_DIR": str(cache),
         "UV_NO_CONFIG": "1"}
    )  # fmt: skip


def run_demo(workspace: Workspace, steps: list[tuple[str, Step]]) -> list[StepResult]:
    """Run every step; a failing step is reported and the next steps still run."""
    results = []
    for capability, step in steps:
        started = time.perf_counter()
        try:
            line, ok = step(workspace), True
        except EnvyardError as exc:
            line, ok = f"failed: {exc}", False
        except Exception as exc:  # one broken step must not hide the others' results
            line, ok = f"failed with an internal error: {type(exc).__name__}: {exc}", False
        took = time.perf_counter() - started
        mark = "[green]ok[/]" if ok else "[red]FAILED[/]"
        workspace.console.print(
            f"{mark} [bold]{capability}[/] {escape(line)} [dim]({took:.1f}s)[/]", soft_wrap=True
        )
        results.append(StepResult(capability, ok, line, took))
    return results


def summary(results: list[StepResult]) -> str:
    ok = sum(1 for r in results if r.ok)
    parts = "; ".join(f"{r.capability} {'ok' if r.ok else 'FAILED'}" for r in results)
    return f"summary: {ok}/{len(results)} steps ok: {parts}"
