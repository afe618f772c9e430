"""dump/dump_all write what load reads back; round-trip edits keep comments."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envyard.errors import SpecError
from envyard.yamlio import (
    YamlFloat,
    dump,
    dump_all,
    load,
    parse,
    plain_is_string,
    roundtrip_dump,
    roundtrip_load,
)


class Color(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


TRICKY = ["yes", "no", "on", "0o17", "1_000", "0b101", "1e3", "true", "null", "~", "",
          "2026-01-01", "- x", "a: b", "#c", "x\ny\n", "  lead", "trail ", "'q'", '"q"', "é",
          "\x00\x07", "1.10"]  # fmt: skip


@pytest.mark.parametrize("text", TRICKY)
def test_strings_come_back_as_strings(text: str) -> None:
    assert load(dump({"a": text})) == {"a": text}


def test_values_of_every_kind() -> None:
    data: dict[str, Any] = {
        "version": YamlFloat(1.1, "1.10"),
        "float": 0.5,
        "int": 7,
        "bool": True,
        "none": None,
        "tuple": (1, "x"),
        "date": dt.date(2026, 1, 2),
        "enum": Color.RED,
        "level": Level.HIGH,
        "nested": {"list": [{"a": 1}]},
    }
    text = dump(data)
    assert "version: 1.10\n" in text
    assert "enum: red\n" in text
    assert "level: 3\n" in text
    back = load(text)
    assert back["version"].text == "1.10"
    assert back["tuple"] == [1, "x"]
    assert back["date"] == "2026-01-02"
    assert back["nested"] == {"list": [{"a": 1}]}
    assert list(back) == list(data)


def test_multi_line_text_is_a_literal_block() -> None:
    assert dump({"script": "echo a\necho b\n"}) == "script: |\n  echo a\n  echo b\n"


def test_dump_all() -> None:
    text = dump_all([{"a": 1}, {"b": 2}])
    assert text == "a: 1\n---\nb: 2\n"


def test_roundtrip_keeps_comments() -> None:
    text = "# top\nname: x  # the name\nlist:\n  - 'quoted'\n"
    data = roundtrip_load(text)
    data["name"] = "y"
    assert roundtrip_dump(data) == "# top\nname: y  # the name\nlist:\n- 'quoted'\n"
    assert roundtrip_dump(data, indent=(2, 4, 2)).endswith("list:\n  - 'quoted'\n")


def test_roundtrip_load_refuses_what_parse_refuses() -> None:
    with pytest.raises(SpecError, match=r"^f.yaml:2:1: a: duplicate key"):
        roundtrip_load("a: 1\na: 2\n", "f.yaml")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | _TEXT
    | st.sampled_from(TRICKY)
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.dictionaries(_TEXT, _DATA, max_size=6))
def test_whatever_is_dumped_loads_back_the_same(data: dict[str, Any]) -> None:
    assert load(dump(data)) == data


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.dictionaries(_TEXT, _DATA, min_size=1, max_size=6))
def test_every_value_has_a_position_in_the_text(data: dict[str, Any]) -> None:
    text = dump(data)
    doc = parse(text, "f.yaml")
    lines = text.split("\n")
    for path in _paths(doc.data):
        line, col = doc.position(path)
        assert 1 <= line <= len(lines)
        assert 1 <= col <= len(lines[line - 1]) + 1
        assert doc.position(path) in (doc.keys[path], doc.values[path])


@pytest.mark.parametrize(
    ("text", "is_string"),
    [("eyeson", True), ("y", True), ("img:1", True), ("yes", False), ("On", False),
     ("2024-01-01", False), ("0b101", False), ("1:20", False), ("1.0", False), ("null", False)],
)  # fmt: skip
def test_plain_is_string_for_envyard_and_for_yaml_1_1_readers(text: str, is_string: bool) -> None:
    assert plain_is_string(text) is is_string
    assert (dump({"k": text}) == f"k: {text}\n") is is_string  # dump quotes exactly those
