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

Parameters follow papermill: a cell tagged ``injected-parameters`` after the one tagged
``parameters`` (or first, when no cell has the tag; an ``injected-parameters`` cell of an
earlier papermill run is replaced); values are rendered as Python literals from JSON data, never
evaluated. Unlike setup and teardown, that cell stays in the saved notebook, as papermill saves
it, with the values in ``metadata.papermill.parameters``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat import NotebookNode

ROLE_KEY = "envyard"
INJECTED_TAG = "injected-parameters"


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
    if isinstance(value, str):  # papermill's spelling: "text" (JSON's escapes are Python's)
        text = json.dumps(value, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate stays escaped
            return json.dumps(value)
        return text
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    return repr(json.loads(json.dumps(value, default=str)))


def parameters_source(parameters: dict[str, Any]) -> str:
    lines = ["# Parameters"]
    for name, value in parameters.items():
        if not name.isidentifier():
            raise ValueError(f"parameter name {name!r} is not a Python identifier")
        lines.append(f"{name} = {literal(value)}")
    return "\n".join(lines) + "\n"


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
        params = _cell(parameters_source(injection.parameters), "parameters")
        params.metadata["tags"] = [INJECTED_TAG]
        earlier = _tagged(cells, INJECTED_TAG)
        if earlier is not None:
            cells[earlier] = params
        else:
            tagged = _tagged(cells, "parameters")
            cells.insert(0 if tagged is None else tagged + 1, params)
    if injection.setup:
        cells.insert(0, _cell(injection.setup, "setup"))
    if injection.teardown:
        cells.append(_cell(injection.teardown, "teardown"))
    out.cells = cells
    return out


def _tagged(cells: list[NotebookNode], tag: str) -> int | None:
    for index, cell in enumerate(cells):
        if tag in (cell.get("metadata", {}).get("tags") or []):
            return index
    return None


def scrub(nb: NotebookNode, parameters: dict[str, Any] | None = None) -> NotebookNode:
    """Remove setup and teardown cells; keep the parameters cell as papermill saves it."""
    kept = []
    for cell in nb.cells:
        if role(cell) == "parameters":
            del cell.metadata[ROLE_KEY]
        elif role(cell) is not None:
            continue
        kept.append(cell)
    nb.cells = kept
    if parameters:
        nb.metadata.setdefault("papermill", {})["parameters"] = parameters
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
