"""Scenario folders ``tests/scenarios/notebooks/<case>/``: ``input/`` notebooks (and config),
``case.json`` (run options), ``expected.json`` (status, reason and failing cell per notebook)
and optionally ``expected-saved.json`` (sources and outputs of the saved notebooks)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from envyard.notebooks.session import SessionRequest, run_session

CASES = Path(__file__).parents[1] / "scenarios" / "notebooks"

pytestmark = pytest.mark.slow


def _output(cell: Any) -> str | None:
    for output in cell.get("outputs", []):
        if output["output_type"] == "error":
            return "error"
        if output["output_type"] == "stream":
            return str(output["text"])
    return None


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_scenario(case: str, tmp_path: Path) -> None:
    folder = CASES / case
    work = tmp_path / "input"
    shutil.copytree(folder / "input", work)  # the scenario's files are never touched
    options = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    report = run_session(SessionRequest([work], output_dir=out, base=work, **options))
    got = {
        r.name: {"status": r.status, "reason": r.reason, "cell_index": r.cell_index}
        for r in report.results
    }
    assert got == json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    saved_spec = folder / "expected-saved.json"
    if saved_spec.exists():
        for name, expected in json.loads(saved_spec.read_text(encoding="utf-8")).items():
            nb = nbformat.read(out / name, as_version=4)
            assert [c.source for c in nb.cells] == expected["sources"], name
            assert [_output(c) for c in nb.cells] == expected["outputs"], name
            assert all("envyard" not in c.metadata for c in nb.cells), name  # scrubbed
            if any(s.startswith("# Parameters\n") for s in expected["sources"]):  # as papermill
                tagged = [
                    c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", ())
                ]
                assert len(tagged) == 1, name
                assert nb.metadata.papermill.parameters, name
