"""Results of notebook runs: one :class:`NotebookResult` per notebook, with its cells.

Statuses: ``passed``, ``failed`` (a cell raised), ``error`` (the run could not complete: a
timeout, a dead kernel, a kernel that did not start, a file that is not a notebook, an unknown
environment), ``skipped``. JUnit maps ``failed`` to ``<failure>`` and ``error`` to ``<error>``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["passed", "failed", "error", "skipped"]
CellStatus = Literal["passed", "failed", "error", "skipped", "not-run", "expected-error"]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


def cell_label(index: int) -> str:
    """A cell as people read it: numbered from 1, in the notebook's order (``cell_index`` + 1)."""
    return f"cell {index + 1}"


def strip_ansi(text: str) -> str:
    """Remove terminal colour and cursor codes (tracebacks from IPython are coloured)."""
    return _ANSI.sub("", text)


@dataclass
class CellResult:
    index: int  # position among the user's cells (0-based); shown as cell index+1
    source: str
    status: CellStatus
    duration: float = 0.0
    message: str = ""  # one line: "ValueError: boom", "timed out after 5s"
    traceback: str = ""  # ANSI-free


@dataclass
class NotebookResult:
    path: str  # as given/shown (relative to the working directory when possible)
    name: str  # the notebook's file name
    status: Status
    duration: float = 0.0
    message: str = ""
    reason: str = ""  # "timeout", "dead-kernel", "kernel-start", "invalid-notebook", ...
    cell_index: int | None = None  # the cell that failed or hung
    cell_source: str = ""
    traceback: str = ""
    cells: list[CellResult] = field(default_factory=list)
    output: str | None = None  # the executed (scrubbed) notebook, when saved
    environment: str | None = None
    kernel: str | None = None
    kernel_log: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("passed", "skipped")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotebookResult:
        cells = [CellResult(**cell) for cell in data.get("cells", [])]
        return cls(**{**data, "cells": cells})


def exit_code(results: list[NotebookResult]) -> int:
    """0 when every notebook passed or was skipped, else 1."""
    return 0 if all(result.ok for result in results) else 1
