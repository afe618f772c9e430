"""Progress bars (rich) for work over many assets; silent when output is not a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(
    description: str, total: int, *, console: Console | None = None
) -> Iterator[Callable[[str], None]]:
    """Yield ``advance(label)``; the bar shows only on a terminal and for more than one item."""
    out = console or Console(stderr=True)
    enabled = out.is_terminal and total > 1
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[label]}"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
        disable=not enabled,
    )
    with bar:
        task = bar.add_task(description, total=total, label="")

        def advance(label: str) -> None:
            bar.update(task, advance=1, label=label)

        yield advance
