"""Bad input becomes a clear result, never an exception from the runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.notebooks.session import SessionRequest, run_session

pytestmark = pytest.mark.slow


def test_bad_inputs_each_get_a_clear_result(tmp_path: Path) -> None:
    (tmp_path / "text.ipynb").write_text("hello", encoding="utf-8")
    (tmp_path / "binary.ipynb").write_bytes(b"\xff\xfe\x00\x01")
    (tmp_path / "nocells.ipynb").write_text('{"metadata": {}}', encoding="utf-8")
    (tmp_path / "badfmt.ipynb").write_text(
        '{"cells": [{"cell_type": "code"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        encoding="utf-8",
    )
    write_notebook(tmp_path / "julia.ipynb", "1 + 1", kernel="julia-1.9")
    write_notebook(tmp_path / "syntax.ipynb", "x = (1,")
    write_notebook(tmp_path / "unknown-env.ipynb", "pass")
    (tmp_path / "notebooks.yaml").write_text(
        "notebooks:\n  unknown-env.ipynb:\n    environment: no-such-env@9.9\n", encoding="utf-8"
    )
    report = run_session(SessionRequest([tmp_path, tmp_path / "missing.ipynb"], base=tmp_path))
    by_name = {r.name: r for r in report.results}
    expect = {
        "badfmt.ipynb": ("error", "invalid-notebook", "invalid nbformat"),
        "binary.ipynb": ("error", "invalid-notebook", "not UTF-8"),
        "julia.ipynb": ("error", "kernel-start", "no Jupyter kernel named 'julia-1.9'"),
        "missing.ipynb": ("error", "not-found", "no such file"),
        "nocells.ipynb": ("error", "invalid-notebook", "no 'cells'"),
        "syntax.ipynb": ("failed", "cell-error", "SyntaxError"),
        "text.ipynb": ("error", "invalid-notebook", "invalid JSON"),
        "unknown-env.ipynb": ("error", "environment", "no-such-env"),
    }
    assert set(by_name) == set(expect)
    for name, (status, reason, text) in expect.items():
        result = by_name[name]
        assert (result.status, result.reason) == (status, reason), (name, result.message)
        assert text in result.message, (name, result.message)
