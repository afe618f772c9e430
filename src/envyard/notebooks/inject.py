"""Inject setup/teardown cells, parameters and per-cell code before a run; scrub them after.

The seed wrapped every code block in try/except callbacks and removed them afterwards; here
every injection is marked so it can be removed exactly:

* injected cells carry ``metadata.envyard.injected = <role>`` (``setup``, ``parameters``,
  ``teardown``);
* code injected into a user's cell sits between the sentinel lines :data:`BEGIN` and :data:`END`.

:func:`scrub` removes both, so the saved notebook shows the user's cells and their outputs only.
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

BEGIN = "# >>> envyard:injected"
END = "# <<< envyard:injected"
ROLE_KEY = "envyard"


@dataclass(frozen=True)
class Injection:
    setup: str = ""
    teardown: str = ""
    before_each: str = ""
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


def _wrap(code: str) -> str:
    return f"{BEGIN}\n{code.rstrip()}\n{END}"


def inject(nb: NotebookNode, injection: Injection) -> NotebookNode:
    """Return a copy of ``nb`` with the injection applied (the input is not changed)."""
    out: NotebookNode = nbformat.from_dict(json.loads(json.dumps(nb)))  # type: ignore[no-untyped-call]
    cells: list[NotebookNode] = []
    for cell in out.cells:
        if cell.cell_type == "code" and cell.source.strip():
            parts = [cell.source]
            if injection.before_each:
                parts.insert(0, _wrap(injection.before_each))
            if injection.after_each:
                parts.append(_wrap(injection.after_each))
            cell.source = "\n".join(parts)
        cells.append(cell)
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


def _strip_blocks(source: str) -> str:
    kept: list[str] = []
    inside = False
    for line in source.split("\n"):
        if line == BEGIN:
            inside = True
        elif line == END and inside:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def scrub(nb: NotebookNode, parameters: dict[str, Any] | None = None) -> NotebookNode:
    """Remove injected cells and code; record the parameters used in notebook metadata."""
    nb.cells = [cell for cell in nb.cells if role(cell) is None]
    for cell in nb.cells:
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = _strip_blocks(cell.source)
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
