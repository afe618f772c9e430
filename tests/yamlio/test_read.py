"""parse/read/load: data, lazy positions, and every problem as one line with its place."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.yamlio import Document, compose, load, parse, read


def _error(text: str) -> str:
    with pytest.raises(SpecError) as info:
        parse(text, "f.yaml")
    message = str(info.value)
    assert "\n" not in message, message
    return message


def test_positions_of_keys_and_values() -> None:
    doc = parse("name: x\nimage:\n  ref: python\nlist:\n  - a\n  - b: 1\n", "f.yaml")
    assert doc.position(("image", "ref")) == (3, 8)
    assert doc.position(("image", "ref"), key=True) == (3, 3)
    assert doc.position(("list", 1, "b")) == (6, 8)
    assert doc.position(("list", 1)) == (6, 5)
    assert doc.position(("list", 9)) == (5, 3)  # the nearest parent that exists
    assert doc.position(("missing",)) == (1, 1)


def test_positions_survive_pickling() -> None:
    doc = parse("a:\n  b: 1\n", "f.yaml")
    again = pickle.loads(pickle.dumps(doc))  # noqa: S301 - our own object
    assert again.data == {"a": {"b": 1}}
    assert again.position(("a", "b")) == (2, 6)


def test_data_from_elsewhere_has_no_positions() -> None:
    assert Document("<input>", {"a": 1}).position(("a",)) == (1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b\x01c\n", "f.yaml:1:5: holds U+0001, which YAML does not allow"),
        ("é: é\x07\n", "f.yaml:1:5: holds U+0007"),
        ("a: 1\nb: x\x00\n", "f.yaml:2:5: holds U+0000"),
        ("a: 1\na: 2\n", "f.yaml:2:1: a: duplicate key 'a' in this mapping"),
        ("? [a]\n: 1\n", "f.yaml:1:3: a key must be a single value, found a list"),
        ("? {a: 1}\n: 1\n", "f.yaml:1:3: a key must be a single value, found a mapping"),
        ("a: &x [*x]\n", "f.yaml:1:4: a[0]: an alias (*name) refers to a value that contains it"),
        ("a:\n\tb: 1\n", "f.yaml:2:1: tab character used for indentation"),
        ("a: [1,\n", "f.yaml:2:1: not valid YAML: did not find expected node content"),
        ("a: *nope\n", "f.yaml:1:4: not valid YAML: found undefined alias"),
        ("- 1\n", "f.yaml:1:1: expected a mapping of fields at the top of the file, found a list"),
        ("", "f.yaml:1:1: file is empty"),
        ("a: 1\n---\nb: 2\n", "f.yaml:3:1: holds 2 YAML documents; expected one"),
        (
            "a: 1\nb: c: d\n",
            "f.yaml:2:5: not valid YAML: mapping values are not allowed in this context",
        ),
        ("a: 1\n\u2028b\n", "f.yaml:"),
        (  # checked before libyaml composes (some builds stop at 1000, others crash)
            "a: " + "[" * 2000 + "]" * 2000 + "\n",
            "f.yaml:1:503: not valid YAML: collections nested more than 500 levels deep",
        ),
        ("- " * 100_000 + "1\n", "f.yaml:1:1001: not valid YAML: collections nested more"),
        ("a: " + "{x: " * 100_000 + "\n", "f.yaml:1:2000: not valid YAML: collections nested"),
        ("a: !!set 1\n", "f.yaml:1:4: a: is tagged !!set but is a single value"),
        ("a: {b: 1, <<: 2}\n", "f.yaml:1:15: a: '<<' merges mappings only"),
    ],
)
def test_problems_are_one_line_with_a_place(text: str, expected: str | tuple[str, ...]) -> None:
    assert _error(text).startswith(expected)


def test_a_lone_surrogate_is_a_user_error() -> None:
    assert _error("a: \ud800\n").startswith("f.yaml:1:4: holds a character that is not valid")


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert "holds more than 200,000 values" in _error("\n".join(lines) + "\n")


def test_deep_nesting_is_a_user_error() -> None:
    text = "a:\n" + "".join(" " * i + "- \n" for i in range(1500))
    assert _error(text).startswith("f.yaml:")


def test_a_trailing_empty_document_is_harmless() -> None:
    assert parse("a: 1\n---\n", "f.yaml").data == {"a": 1}


def test_load_takes_any_shape() -> None:
    assert load("- 1\n- x\n") == [1, "x"]
    assert load("") is None
    assert load("just text") == "just text"


def test_compose_gives_spans() -> None:
    text = "a: hello\n"
    node = compose(text)
    value = node.value[0][1]
    assert text[value.start_mark.index : value.end_mark.index] == "hello"


def test_read_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "release.json"
    path.write_text('{\n\t"a": [1, 2],\n\t"b": "x"\n}\n')
    doc = read(path)
    assert doc.data == {"a": [1, 2], "b": "x"}
    assert doc.position(("b",)) == (3, 7)
    path.write_text('{"a": 1,}\n')
    with pytest.raises(SpecError, match="remove the comma"):
        read(path)


def test_read_refuses_binary_with_a_place(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: \x00\n")
    with pytest.raises(SpecError) as info:
        read(path)
    assert "binary file" in str(info.value)
