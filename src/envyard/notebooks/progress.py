"""Live progress of a notebook run with rich: a progress bar plus one line per finished notebook."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from envyard.notebooks.job import Job
from envyard.notebooks.results import NotebookResult

STYLE = {"passed": "green", "failed": "red", "error": "yellow", "skipped": "dim"}
MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


class LiveProgress:
    """Use as a context manager and pass :meth:`event` as the runner's listener."""

    def __init__(self, console: Console, total: int | None = None) -> None:
        self.console = console
        self.progress = Progress(
            TextColumn("[bold]notebooks"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("", total=total)
        self.running: list[str] = []

    def __enter__(self) -> LiveProgress:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def set_total(self, total: int) -> None:
        self.progress.update(self.task, total=total)

    def event(self, kind: str, item: Job | NotebookResult) -> None:
        if kind == "start" and isinstance(item, Job):
            self.running.append(item.shown)
        elif kind == "done" and isinstance(item, NotebookResult):
            if item.path in self.running:
                self.running.remove(item.path)
            style = STYLE[item.status]
            # failures are detailed once, at the end of the run; a skip says why here
            detail = f" — {escape(item.message)}" if item.status == "skipped" else ""
            self.progress.console.print(
                f"[{style}]{MARK[item.status]:5}[/] {escape(item.path)} "
                f"[dim]({item.duration:.2f}s)[/]{detail}",
                markup=True,
                highlight=False,
                soft_wrap=True,  # one line each, never wrapped at 80 columns in CI logs
            )
            self.progress.advance(self.task)
        self.progress.update(self.task, description=", ".join(self.running[-3:]))
