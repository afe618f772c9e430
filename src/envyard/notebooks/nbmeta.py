"""What nbmake and nbclient users already write in a notebook's metadata, read the same way.

* notebook ``metadata.execution.timeout``: seconds per cell (nbclient's meaning; ``-1`` or
  ``null``: no limit), and ``metadata.execution.allow_errors``: a failing cell does not fail
  the notebook and the next cells still run;
* cell ``metadata.nbmake.mock``: ``{name: value}`` assigned right after the cell ran without
  error (values are JSON data, rendered as Python literals, never evaluated as text);
* cell ``metadata.nbmake.post_cell_execute``: lines of code run right after the cell (after the
  mocks) when it ran without error; an error there fails the notebook at that cell;
* cell tags ``raises-exception`` (the cell may fail) and ``skip-execution`` (not run).

Like nbmake, a cell that produced an ``error`` output fails even when the kernel answered
``ok`` (an exception in a post-execute hook, e.g. matplotlib's inline backend drawing a figure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode

from envyard.notebooks.inject import literal

RAISES_TAG = "raises-exception"
SKIP_TAG = "skip-execution"
_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


@dataclass(frozen=True)
class NotebookExecution:
    """``metadata.execution`` of a notebook; ``None``: not set there."""

    timeout: float | None = None  # 0: no limit
    allow_errors: bool = False


def notebook_execution(nb: NotebookNode) -> NotebookExecution:
    """Read ``metadata.execution``; raises ValueError (one line) for a value of the wrong type."""
    execution = nb.get("metadata", {}).get("execution")
    if not isinstance(execution, dict):
        return NotebookExecution()
    raw = execution.get("timeout")
    timeout: float | None = None
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"metadata.execution.timeout: {raw!r} is not a number of seconds")
        timeout = float(raw) if raw > 0 else 0.0
    allow = execution.get("allow_errors", False)
    if not isinstance(allow, bool):
        raise ValueError(f"metadata.execution.allow_errors: {allow!r} is not true or false")
    return NotebookExecution(timeout, allow)


def tags(cell: NotebookNode) -> list[str]:
    found = cell.get("metadata", {}).get("tags", [])
    return [str(t) for t in found] if isinstance(found, list) else []


def _nbmake(cell: NotebookNode) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbmake", {})
    return meta if isinstance(meta, dict) else {}


def after_cell_code(cell: NotebookNode) -> list[tuple[str, str]]:
    """What runs after ``cell`` ran cleanly: ``[("mock", code), ("post_cell_execute", code)]``
    (only those set). Raises ValueError (one line) for metadata nbmake would not accept.
    """
    meta = _nbmake(cell)
    out: list[tuple[str, str]] = []
    mocks = meta.get("mock", {})
    if not isinstance(mocks, dict):
        raise ValueError("metadata.nbmake.mock is not a mapping of names to values")
    lines: list[str] = []
    for name, value in mocks.items():
        if not _TARGET.match(str(name)):
            raise ValueError(f"metadata.nbmake.mock: {str(name)!r} is not a Python name")
        lines.append(f"{name} = {literal(value)}")
    if lines:
        out.append(("nbmake mock", "\n".join(lines)))
    post = meta.get("post_cell_execute", [])
    if isinstance(post, str):
        post = [post]
    if not isinstance(post, list) or not all(isinstance(line, str) for line in post):
        raise ValueError("metadata.nbmake.post_cell_execute is not a list of code lines")
    if post:
        out.append(("nbmake post_cell_execute", "\n".join(post)))
    return out
