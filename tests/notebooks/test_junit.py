"""JUnit XML: attributes CI systems read, failures vs errors, per-cell testcases."""

from __future__ import annotations

from pathlib import Path

from tests.notebooks.helpers import parse_junit

from envyard.notebooks import junit
from envyard.notebooks.results import CellResult, NotebookResult

RED_TB = "\x1b[0;31mValueError\x1b[0m: boom\x07\x1b]0;title\x07"


def _results() -> list[NotebookResult]:
    return [
        NotebookResult("nbs/ok.ipynb", "ok.ipynb", "passed", 1.5, cells=[
            CellResult(0, "x = 1", "passed", 0.1),
        ]),
        NotebookResult(
            "nbs/deep/bad.ipynb", "bad.ipynb", "failed", 2.0, "ValueError: boom", "cell-error",
            1, "raise ValueError('boom')", RED_TB,
            cells=[
                CellResult(0, "x = 1", "passed", 0.1),
                CellResult(1, "raise ValueError('boom')", "failed", 0.2, "ValueError: boom",
                           RED_TB),
                CellResult(2, "print(x)", "not-run"),
            ],
        ),
        NotebookResult("top.ipynb", "top.ipynb", "error", 4.0, "notebook timeout", "timeout", 0,
                       "while True: pass", "KeyboardInterrupt", kernel_log="log line",
                       cells=[CellResult(0, "while True: pass", "error", 4.0, "timeout")]),
        NotebookResult("nbs/skip.ipynb", "skip.ipynb", "skipped", message="needs a GPU"),
    ]  # fmt: skip


def test_one_testcase_per_notebook(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    junit.write(path, _results())
    root = parse_junit(path)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == (
        "4",
        "1",
        "1",
        "1",
    )
    cases = list(root.iter("testcase"))
    assert [(c.get("classname"), c.get("name"), c.get("file")) for c in cases] == [
        ("nbs", "ok.ipynb", "nbs/ok.ipynb"),
        ("nbs.deep", "bad.ipynb", "nbs/deep/bad.ipynb"),
        ("notebooks", "top.ipynb", "top.ipynb"),
        ("nbs", "skip.ipynb", "nbs/skip.ipynb"),
    ]
    assert cases[1].get("time") == "2.000"
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "ValueError: boom" and failure.get("type") == "ValueError"
    assert failure.text == "cell 2:\nraise ValueError('boom')\n\nValueError: boom"
    error = cases[2].find("error")
    assert error is not None and error.get("type") == "timeout"
    assert cases[2].findtext("system-err") == "log line"
    skipped = cases[3].find("skipped")
    assert skipped is not None and skipped.get("message") == "needs a GPU"


def test_one_testcase_per_cell() -> None:
    root = parse_junit(junit.render(_results(), cells=True).split("\n", 1)[1])
    names = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert names == [
        ("nbs.ok", "cell 1"),
        ("nbs.deep.bad", "cell 1"),
        ("nbs.deep.bad", "cell 2"),
        ("nbs.deep.bad", "cell 3"),
        ("notebooks.top", "cell 1"),
        ("nbs", "skip.ipynb"),
    ]
    cases = list(root.iter("testcase"))
    assert cases[2].find("failure") is not None
    assert cases[3].find("skipped") is not None
    assert cases[4].find("error") is not None
    assert root.get("failures") == "1" and root.get("errors") == "1"
