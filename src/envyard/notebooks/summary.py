"""The JSON summary and the short HTML summary of a notebook run."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from envyard.atomicfile import write_atomic
from envyard.notebooks.results import NotebookResult, cell_label, exit_code, strip_ansi

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Notebook tests: {{ headline }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}.passed{color:#137333}.failed{color:#c5221f}
.error{color:#b06000}.skipped{color:#5f6368}pre{white-space:pre-wrap;margin:.3rem 0;
font-size:.85rem;background:#f6f6f6;padding:.4rem}
</style></head><body>
<h1>Notebook tests</h1>
<p id="totals">{{ headline }} in {{ "%.1f"|format(duration) }}s</p>
<table><thead><tr><th>status</th><th>notebook</th><th>time</th><th>details</th></tr></thead>
<tbody>
{% for r in results %}<tr class="{{ r.status }}"><td class="{{ r.status }}">{{ r.status }}</td>
<td>{% if r.output %}<a href="{{ r.output_link }}">{{ r.path }}</a>{% else %}{{ r.path }}{% endif %}
</td><td>{{ "%.2f"|format(r.duration) }}s</td><td>{{ r.message }}
{% if r.cell_index is not none %}<pre>cell {{ r.cell_index + 1 }}:
{{ r.cell_source }}</pre>{% endif %}{% if r.traceback %}<pre>{{ r.traceback }}</pre>{% endif %}
</td></tr>
{% endfor %}</tbody></table></body></html>
"""


def counts(results: list[NotebookResult]) -> dict[str, int]:
    found = Counter(r.status for r in results)
    return {k: found.get(k, 0) for k in ("passed", "failed", "error", "skipped")}


def headline(results: list[NotebookResult]) -> str:
    c = counts(results)
    parts = [f"{v} {k}" for k, v in c.items() if v]
    return ", ".join(parts) or "no notebooks"


def problem_line(r: NotebookResult) -> str:
    """``FAILED path: cell N: message`` (N from 1), one line."""
    where = f" {cell_label(r.cell_index)}:" if r.cell_index is not None else ""
    first = r.message.strip().splitlines()[0] if r.message.strip() else r.reason
    return f"{r.status.upper()} {r.path}:{where} {first}"


def problem_report(results: list[NotebookResult], *, tracebacks: bool = True) -> list[str]:
    """For the end of a console run: per failed or errored notebook its line, then (unless
    ``tracebacks`` is off) the failing cell's traceback, or the kernel's log tail, indented."""
    lines = []
    for r in results:
        if r.ok:
            continue
        lines.append(problem_line(r))
        detail = strip_ansi(r.traceback or r.kernel_log).strip("\n")
        if tracebacks and detail:
            lines.extend(f"    {line}".rstrip() for line in detail.splitlines())
    return lines


def summary(results: list[NotebookResult], duration: float) -> dict[str, Any]:
    return {
        "version": 1,
        "exit_code": exit_code(results),
        "total": len(results),
        **counts(results),
        "duration": round(duration, 3),
        "results": [r.to_dict() for r in results],
    }


def write_json(path: Path, results: list[NotebookResult], duration: float) -> None:
    write_atomic(path, json.dumps(summary(results, duration), indent=2) + "\n")


def render_html(results: list[NotebookResult], duration: float, base: Path | None = None) -> str:
    from jinja2 import Environment, select_autoescape  # only for HTML reports (import cost)

    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    rows = []
    for r in results:
        row = r.to_dict()
        if r.output:
            row["output_link"] = (
                os.path.relpath(r.output, base)
                if base is not None
                else Path(r.output).resolve().as_uri()
            )
        rows.append(row)
    template = env.from_string(_HTML)
    return template.render(results=rows, duration=duration, headline=headline(results))


def write_html(path: Path, results: list[NotebookResult], duration: float) -> None:
    write_atomic(path, render_html(results, duration, path.parent.resolve()))
