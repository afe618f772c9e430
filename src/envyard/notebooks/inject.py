"""Inject setup/teardown and parameters cells before a run; scrub them after.

The seed wrapped every code block in try/except callbacks and removed them afterwards. Here
injected cells carry ``metadata.envyard.injected = <role>`` (``setup``, ``parameters``,
``teardown``) and :func:`scrub` removes exactly those, so the saved notebook shows the user's
cells and their outputs only. They run with ``store_history=False``, so the user's cells keep
the execution counts (``In [1]``...) of a plain run.

Per-cell code (``before_each`` / ``after_each``) is *not* written into the user's cells: the
executor sends it to the kernel as hidden executions right before and after each code cell
(:mod:`envyard.notebooks.execute`). Text spliced into a cell would shift the line numbers of
the user's tracebacks, appear in their context lines and break cell magics (``%%bash`` must
come first); a hidden execution leaves the cell, its outputs and its traceback untouched.

Parameters follow papermill: a cell after the one tagged ``parameters`` (or first, when no
cell has the tag); values are rendered as Python literals from JSON data, never evaluated.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat import NotebookNode

ROLE_KEY = "envyard"


@dataclass(frozen=True)
class Injection:
    setup: str = ""
    teardown: str = ""
    before_each: str = ""  # hidden executions around each code cell (see module docs)
    after_each: str = ""
    parameters: dict[str, Any] | None = None


def literal(value: Any) -> str:
    """A Python literal for JSON-like data (``repr`` of plain types; never eval'd)."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(json.loads(json.dumps(value, default=str)))


def parameters_source(parameters: dict[str, Any]) -> str:
    lines = ["# Parameters injected by envyard"]
    for name, value in parameters.items():
        if not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        lines.append(f"{name} = {literal(value)}")
    return "\n".join(lines)


def _cell(source: str, role: str) -> NotebookNode:
    cell: NotebookNode = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
    cell.metadata[ROLE_KEY] = {"injected": role}
    return cell


def role(cell: NotebookNode) -> str | None:
    meta = cell.get("metadata", {}).get(ROLE_KEY)
    return meta.get("injected") if isinstance(meta, dict) else None


def inject(nb: NotebookNode, injection: Injection) -> NotebookNode:
    """Return a copy of ``nb`` with the injection applied (the input is not changed)."""
    out: NotebookNode = nbformat.from_dict(json.loads(json.dumps(nb)))  # type: ignore[no-untyped-call]
    cells: list[NotebookNode] = list(out.cells)
    if injection.parameters:
        tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
        at = tagged[0] + 1 if tagged else 0
        params = _cell(parameters_source(injection.parameters), "parameters")
        params.metadata["tags"] = ["injected-parameters"]
        cells.insert(at, params)
    if injection.setup:
        cells.insert(0, _cell(injection.setup, "setup"))
    if injection.teardown:
        cells.append(_cell(injection.teardown, "teardown"))
    out.cells = cells
    return out


def scrub(nb: NotebookNode, parameters: dict[str, Any] | None = None) -> NotebookNode:
    """Remove the injected cells; record the parameters used in the notebook's metadata."""
    nb.cells = [cell for cell in nb.cells if role(cell) is None]
    if parameters:
        nb.metadata.setdefault(ROLE_KEY, {})["parameters"] = parameters
    return nb


def user_indices(nb: NotebookNode) -> list[int | None]:
    """For each cell of an injected notebook, its index among the user's cells (or None)."""
    out: list[int | None] = []
    count = 0
    for cell in nb.cells:
        if role(cell) is None:
            out.append(count)
            count += 1
        else:
            out.append(None)
    return out
