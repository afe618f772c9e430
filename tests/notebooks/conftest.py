"""Fixtures for the notebook-CI tests: isolate ENVYARD_HOME, write notebooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import MakeNotebook, write_notebook


@pytest.fixture(autouse=True)
def envyard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "envyard-home"
    monkeypatch.setenv("ENVYARD_HOME", str(home))
    return home


@pytest.fixture
def make_notebook(tmp_path: Path) -> MakeNotebook:
    def make(relpath: str, *cells: str, **kwargs: object) -> Path:
        return write_notebook(tmp_path / relpath, *cells, **kwargs)  # type: ignore[arg-type]

    return make
