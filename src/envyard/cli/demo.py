"""`envyard demo`: walk through the whole flow on embedded defaults."""

from __future__ import annotations

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
    help="Keep the demo workspace in this new or empty folder instead of a temporary one.",
)
def demo(serve: bool | None, workdir: Path | None) -> None:
    """Release example environments, run a job and notebooks, apply overrides, show the UI."""
    from rich.console import Console

    from envyard.demo.runner import prepare_workspace, run_demo, summary
    from envyard.demo.steps import STEPS

    console = Console()
    ws = prepare_workspace(workdir, console)
    console.print(f"Envyard demo in [bold]{ws.root}[/] (SQLite metastore, local backend)")
    results = run_demo(ws, STEPS)
    console.print("\n" + summary(results), soft_wrap=True)
    if not all(r.ok for r in results):
        raise click.exceptions.Exit(1)
    if serve is None:
        serve = console.is_terminal
        if not serve:
            console.print("not a terminal: skipping the web UI (pass --serve to start it)")
    if serve:
        from envyard.demo.serve import serve_ui

        serve_ui(ws)
