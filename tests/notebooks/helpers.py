"""Helpers for the notebook-CI tests: write real notebooks, find kernel processes in /proc."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import nbformat

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


def parse_junit(source: Path | str) -> ET.Element:
    """Parse a JUnit report this test run wrote itself (trusted input)."""
    if isinstance(source, Path):
        return ET.parse(source).getroot()  # noqa: S314 - our own report file
    return ET.fromstring(source)  # noqa: S314 - our own report text
