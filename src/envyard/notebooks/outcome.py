"""What one notebook's execution ended with (:class:`Outcome`), and how kernel errors read.

Used by :mod:`envyard.notebooks.execute` (which produces outcomes) and the runner (which
turns them into :class:`~envyard.notebooks.results.NotebookResult` s).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from envyard.notebooks.results import CellResult, Status, strip_ansi


class HiddenCodeError(Exception):
    """Code sent hidden around a cell (nbmake mocks, ``before_cell``/``after_cell``) failed."""

    def __init__(self, what: str, content: dict[str, Any]) -> None:
        super().__init__(what)
        self.message = f"{what} failed: " + describe(content)[0]
        self.traceback = describe(content)[1]


@dataclass
class Outcome:
    """How a notebook ended: its status, why, the failing cell and every cell's result."""

    status: Status
    reason: str = ""
    message: str = ""
    cell_index: int | None = None
    cell_source: str = ""
    traceback: str = ""
    cells: list[CellResult] = field(default_factory=list)


def error_output(cell: NotebookNode) -> dict[str, Any] | None:
    """The cell's first ``error`` output, if any."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return dict(output)
    return None


def describe(error: dict[str, Any] | None) -> tuple[str, str]:
    """``(one-line message, traceback)`` of an error output or reply, without colour codes."""
    if not error:
        return "", ""
    message = f"{error.get('ename', 'Error')}: {error.get('evalue', '')}".rstrip(": ")
    return strip_ansi(message), strip_ansi("\n".join(error.get("traceback") or []))


def clean_exit(error: dict[str, Any] | None) -> bool:
    """``sys.exit()`` / ``sys.exit(0)``: papermill ends the notebook there, successfully."""
    if not error:
        return False
    return error.get("ename") == "SystemExit" and error.get("evalue") in ("", "0")


def number(index: int | None) -> str:
    """Cells are numbered from 1 in what people read (Jupyter's own order)."""
    return "?" if index is None else str(index + 1)


def seconds(value: float) -> str:
    return f"{value:g}s"
