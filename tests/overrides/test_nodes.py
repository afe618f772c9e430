"""Parsing keeps exact spans (typing is envyard.yamlio's, tested there)."""

from __future__ import annotations

import pytest

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import last_content_end, parse_yaml


def test_spans_and_positions() -> None:
    text = "a:\n  b: [1, 2]  # c\n  d:\n    - x\n# tail\ne: 1\n"
    doc = parse_yaml(text, "f.yaml")
    node = doc.node_at(("a", "b"))
    assert text[node.start_mark.index : node.end_mark.index] == "[1, 2]"
    assert doc.line_of(("a", "d", 0)) == 4
    assert doc.line_of(("a", "missing")) == 2  # the nearest existing node: the mapping `a`
    assert text[: last_content_end(text, doc.node_at(("a",)))].endswith("    - x\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "f.yaml:2:1: a: duplicate key 'a'"),
        ("a: [1\n", "f.yaml:2:1: not valid YAML"),
        ("- a\n- b\n", "f.yaml:1:1: expected a mapping of fields"),
        ("", "f.yaml: file is empty"),
    ],
)
def test_errors_point_at_the_line(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_yaml(text, "f.yaml")
    assert str(info.value).startswith(message)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(SpecError, match="holds more than 200,000 values once aliases"):
        parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
