"""Injection and scrubbing: marked cells and sentinel blocks go in, and come out exactly."""

from __future__ import annotations

import nbformat
import pytest

from envyard.notebooks.inject import (
    Injection,
    inject,
    literal,
    parameters_source,
    role,
    scrub,
    user_indices,
)


def _nb(*sources: str, tagged: int | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    if tagged is not None:
        nb.cells[tagged].metadata["tags"] = ["parameters"]
    return nb


def test_inject_then_scrub_gives_back_the_users_cells() -> None:
    original = _nb("a = 1", "print(a)", tagged=1)
    injection = Injection(
        setup="import os", teardown="print('bye')", before_each="t0 = 1", parameters={"a": 5},
    )  # fmt: skip
    injected = inject(original, injection)
    assert [role(c) for c in injected.cells] == [
        "setup",
        None,
        None,
        "parameters",
        None,
        "teardown",
    ]
    assert injected.cells[2].source == "a = 1"  # per-cell code never enters the cell text
    assert injected.cells[3].source.endswith("a = 5\n")
    assert user_indices(injected) == [None, 0, 1, None, 2, None]
    assert original.cells[1].source == "a = 1"  # the input is untouched
    scrubbed = scrub(injected, {"a": 5})
    sources = [c.source for c in original.cells]
    assert [c.source for c in scrubbed.cells] == [*sources[:2], "# Parameters\na = 5\n", sources[2]]
    assert scrubbed.cells[2].metadata == {"tags": ["injected-parameters"]}  # as papermill saves
    assert scrubbed.metadata["papermill"]["parameters"] == {"a": 5}


def test_an_earlier_papermill_injection_is_replaced() -> None:
    nb = _nb("x = 1", "# Parameters\nx = 'old'\n", "print(x)", tagged=1)
    nb.cells[2].metadata["tags"] = ["injected-parameters"]
    injected = inject(nb, Injection(parameters={"x": "new"}))
    sources = [c.source for c in injected.cells]
    assert sources == ["# title", "x = 1", '# Parameters\nx = "new"\n', "print(x)"]
    assert role(injected.cells[2]) == "parameters"


def test_parameters_go_first_without_a_parameters_cell() -> None:
    injected = inject(_nb("x = 1"), Injection(parameters={"x": 2}))
    assert role(injected.cells[0]) == "parameters"
    assert injected.cells[0].metadata["tags"] == ["injected-parameters"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('it\'s "quoted"', '"it\'s \\"quoted\\""'),
        (3, "3"),
        (2.5, "2.5"),
        (True, "True"),
        (None, "None"),
        ([1, "a", {"k": [None]}], '[1, "a", {"k": [None]}]'),
        (float("nan"), "float('nan')"),
        ("__import__('os').system('x')", "\"__import__('os').system('x')\""),
        ("line\nbreak\\", '"line\\nbreak\\\\"'),
    ],
)
def test_literals_are_data_never_code(value: object, text: str) -> None:
    assert literal(value) == text


def test_parameter_names_must_be_identifiers() -> None:
    with pytest.raises(ValueError, match="not a Python identifier"):
        parameters_source({"os.system('x'); y": 1})
