"""`envyard demo`: walk through the whole flow on embedded defaults."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click


@click.command()
@click.option(
    "--serve/--no-serve",
    default=None,
    help="Start the web UI after the summary (default: only when run in a terminal).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo workspace here instead of a temporary directory.",
)
def demo(serve: bool | None, workdir: Path | None) -> None:
    """Release example environments, run a job and notebooks, apply overrides, show the UI."""
    from rich.console import Console

    from envyard.demo.runner import Workspace, examples_dir, run_demo
    from envyard.demo.steps import STEPS

    console = Console()
    root = workdir or Path(tempfile.mkdtemp(prefix="envyard-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    examples = root / "examples"
    if examples.exists():
        shutil.rmtree(examples)
    shutil.copytree(examples_dir(), examples)
    home = root / "home"
    os.environ["ENVYARD_HOME"] = str(home)  # this process only: the demo's own metastore
    os.environ.pop("ENVYARD_DB_URL", None)
    os.environ.pop("ENVYARD_URL", None)
    os.environ.pop("ENVYARD_TARGET", None)
    console.print(f"Envyard demo in [bold]{root}[/] (SQLite metastore, local backend)")
    ws = Workspace(root=root, examples=examples, home=home, console=console)
    results = run_demo(ws, STEPS)
    failed = [r for r in results if not r.ok]
    console.print(
        f"\nsummary: {len(results) - len(failed)}/{len(results)} steps ok: "
        + "; ".join(f"{r.capability} {'ok' if r.ok else 'FAILED'}" for r in results),
        soft_wrap=True,
    )
    if failed:
        raise click.exceptions.Exit(1)
    if serve is None:
        serve = console.is_terminal
        if not serve:
            console.print("not a terminal: skipping the web UI (pass --serve to start it)")
    if serve:
        from envyard.demo.serve import serve_ui

        serve_ui(ws)
