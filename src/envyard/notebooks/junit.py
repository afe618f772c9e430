"""JUnit XML the way GitLab, Jenkins, Azure Pipelines and CircleCI read it.

One ``<testcase>`` per notebook (``classname`` = the folder as a dotted name, ``name`` = the file
name), or one per cell with ``cells=True`` (``classname`` = folder + notebook stem, ``name`` =
``cell N``, numbered from 1). Every testcase has ``file`` and ``time``. A failing cell is a
``<failure>`` whose text holds the cell's number, its source and the traceback, ANSI-free;
timeouts, dead kernels and other run problems are ``<error>`` s; skips are ``<skipped>``.
"""

from __future__ import annotations

import re
import socket
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from envyard.atomicfile import write_atomic
from envyard.notebooks.results import CellResult, NotebookResult, cell_label, strip_ansi

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("", strip_ansi(text))


def classname(path: str) -> str:
    parent = Path(path).parent.as_posix().strip("/")
    if parent in ("", "."):
        return "notebooks"
    return ".".join(part for part in parent.split("/") if part not in ("", ".", ".."))


def _details(index: int | None, source: str, traceback: str, message: str) -> str:
    parts = []
    if index is not None:
        parts.append(f"{cell_label(index)}:\n{source.rstrip()}")
    if traceback:
        parts.append(traceback)
    elif message:
        parts.append(message)
    return _clean("\n\n".join(parts))


def _case(parent: ET.Element, cls: str, name: str, file: str, seconds: float) -> ET.Element:
    attrs = {"classname": cls, "name": name, "file": file, "time": f"{seconds:.3f}"}
    return ET.SubElement(parent, "testcase", attrs)


def _mark_notebook(case: ET.Element, result: NotebookResult) -> None:
    if result.status == "passed":
        return
    if result.status == "skipped":
        ET.SubElement(case, "skipped", {"message": _clean(result.message)})
        return
    tag = "failure" if result.status == "failed" else "error"
    kind = result.message.split(":", 1)[0] if result.status == "failed" else result.reason
    element = ET.SubElement(case, tag, {"message": _clean(result.message), "type": kind})
    element.text = _details(result.cell_index, result.cell_source, result.traceback, result.message)
    if result.kernel_log and result.status == "error":
        ET.SubElement(case, "system-err").text = _clean(result.kernel_log)


def _mark_cell(case: ET.Element, cell: CellResult, result: NotebookResult) -> None:
    if cell.status in ("passed", "expected-error"):
        return
    if cell.status in ("skipped", "not-run"):
        why = (
            "skip-execution tag" if cell.status == "skipped" else "not run: an earlier cell failed"
        )
        ET.SubElement(case, "skipped", {"message": why})
        return
    tag = "failure" if cell.status == "failed" else "error"
    kind = cell.message.split(":", 1)[0] if tag == "failure" else result.reason
    element = ET.SubElement(case, tag, {"message": _clean(cell.message), "type": kind})
    element.text = _details(cell.index, cell.source, cell.traceback, cell.message)


def build(
    results: list[NotebookResult], cells: bool = False, name: str = "envyard nb test"
) -> ET.Element:
    suites = ET.Element("testsuites", {"name": name})
    suite = ET.SubElement(
        suites,
        "testsuite",
        {
            "name": name,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "hostname": socket.gethostname(),
        },
    )
    for result in results:
        if cells and result.cells:
            cls = f"{classname(result.path)}.{Path(result.name).stem}"
            for cell in result.cells:
                case = _case(suite, cls, cell_label(cell.index), result.path, cell.duration)
                _mark_cell(case, cell, result)
            if result.status == "error" and not any(c.status == "error" for c in result.cells):
                case = _case(suite, cls, result.name, result.path, 0.0)
                _mark_notebook(case, result)
        else:
            case = _case(suite, classname(result.path), result.name, result.path, result.duration)
            _mark_notebook(case, result)
    cases = suite.findall("testcase")
    counts = {
        "tests": len(cases),
        "failures": sum(1 for c in cases if c.find("failure") is not None),
        "errors": sum(1 for c in cases if c.find("error") is not None),
        "skipped": sum(1 for c in cases if c.find("skipped") is not None),
    }
    total = sum(float(c.get("time", "0")) for c in cases)
    for element in (suites, suite):
        for key, value in counts.items():
            element.set(key, str(value))
        element.set("time", f"{total:.3f}")
    return suites


def render(results: list[NotebookResult], cells: bool = False) -> str:
    root = build(results, cells)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(path: Path, results: list[NotebookResult], cells: bool = False) -> None:
    """Write the report atomically."""
    write_atomic(path, render(results, cells))
