"""Helpers for the notebook-CI tests: write real notebooks, isolate ENVYARD_HOME."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

MakeNotebook = Callable[..., Path]


def write_notebook(
    path: Path, *cells: str, tags: dict[int, list[str]] | None = None, kernel: str = "python3"
) -> Path:
    """Write a notebook whose code cells hold *cells*; ``tags`` maps cell index -> tags."""
    nb = nbformat.v4.new_notebook()
    language = "python" if kernel.startswith("python") else kernel
    nb.metadata["kernelspec"] = {"name": kernel, "language": language, "display_name": kernel}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    for index, names in (tags or {}).items():
        nb.cells[index].metadata["tags"] = names
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


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


def kernel_processes(marker: str) -> list[int]:
    """Pids of live processes whose environment mentions *marker* (our kernels carry
    ENVYARD_NOTEBOOK=<path>), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found
