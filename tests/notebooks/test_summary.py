"""JSON and HTML summaries."""

from __future__ import annotations

import json
from pathlib import Path

from envyard.notebooks import summary
from envyard.notebooks.results import NotebookResult


def test_json_and_html(tmp_path: Path) -> None:
    out = tmp_path / "out"
    notebook = out / "a.ipynb"
    results = [
        NotebookResult("a.ipynb", "a.ipynb", "passed", 1.0, output=str(notebook)),
        NotebookResult("b.ipynb", "b.ipynb", "failed", 2.0, "<script>x</script>", "cell-error",
                       0, "raise X", "Traceback"),
    ]  # fmt: skip
    summary.write_json(out / "summary.json", results, 3.25)
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (data["total"], data["passed"], data["failed"], data["exit_code"]) == (2, 1, 1, 1)
    assert data["results"][1]["cell_source"] == "raise X"
    assert NotebookResult.from_dict(data["results"][1]) == results[1]
    summary.write_html(out / "summary.html", results, 3.25)
    html = (out / "summary.html").read_text(encoding="utf-8")
    assert "1 passed, 1 failed" in html
    assert '<a href="a.ipynb">a.ipynb</a>' in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
