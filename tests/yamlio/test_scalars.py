"""The one typing, pinned case by case (YAML 1.2 core schema as ruamel's round-trip loader)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from envyard.errors import SpecError
from envyard.yamlio import YamlFloat, load

CASES: list[tuple[str, Any]] = [
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("true", True),
    ("True", True),
    ("FALSE", False),
    ("~", None),
    ("null", None),
    ("Null", None),
    ("", None),
    ("1_000", 1000),
    ("1__0", 10),
    ("0b101", 5),
    ("-0b101", -5),
    ("0o17", 15),
    ("017", 17),
    ("0x1F", 31),
    ("+1", 1),
    ("-7", -7),
    ("1.10", 1.1),
    ("1e3", 1000.0),
    ("1.", 1.0),
    (".5", 0.5),
    ("+.5", 0.5),
    ("0.1_0", 0.1),
    ("-.inf", -math.inf),
    (".Inf", math.inf),
    ("2026-01-01", "2026-01-01"),
    ("2026-13-45", "2026-13-45"),
    ("2026-01-01 10:00:00", "2026-01-01 10:00:00"),
    ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00Z"),
    ("1:20", "1:20"),
    ("00:10", "00:10"),
    ("1e", "1e"),
    ("NaN", "NaN"),
    ("_1", "_1"),
    ("+_", "+_"),
    ("'1.10'", "1.10"),
    ('"true"', "true"),
    ("!!str 1.10", "1.10"),
    ("!!str true", "true"),
    ("!!int '7'", 7),
    ("!!float 3", 3.0),
    ("!!bool true", True),
    ("!!null ''", None),
    ("!!timestamp 2026-01-01", "2026-01-01"),
    ("!!binary aGk=", "aGk="),
    ("!Ref 12", 12),
    ("!!python/name:os.system x", "x"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_scalar_typing(text: str, expected: Any) -> None:
    value = load(f"a: {text}\n")["a"]
    assert value == expected
    assert type(value) is (YamlFloat if isinstance(expected, float) else type(expected))


def test_floats_remember_their_text() -> None:
    data = load("version: 1.10\nscale: 1e3\n")
    assert data["version"].text == "1.10"
    assert data["scale"].text == "1e3"


def test_nan_is_a_float() -> None:
    assert math.isnan(load("a: .nan\n")["a"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !!set x\n", "1:4: a: is tagged !!set but is a single value"),
        ("a: !!int x\n", "1:4: a: is tagged !!int but is not an integer"),
        ("a: !!float x\n", "1:4: a: is tagged !!float but is not a number"),
        ("a: !!bool yes\n", "1:4: a: is tagged !!bool but is not true or false"),
        ("a: !!null x\n", "1:4: a: is tagged !!null but holds a value"),
        ("a: !!map [1]\n", "1:4: a: is tagged !!map but is a list"),
        ("a: !!str {b: 1}\n", "1:4: a: is tagged !!str but is a mapping"),
    ],
)
def test_a_value_that_does_not_fit_its_tag(text: str, message: str) -> None:
    with pytest.raises(SpecError) as info:
        load(text, "f.yaml")
    assert str(info.value).startswith(f"f.yaml:{message}")
    assert "\n" not in str(info.value)


def test_keys_are_the_text_as_written() -> None:
    assert load("1: a\ntrue: b\n1.10: c\n~: d\n") == {"1": "a", "true": "b", "1.10": "c", "~": "d"}


def test_set_and_merge_keys() -> None:
    assert load("a: !!set {x, y}\n") == {"a": ["x", "y"]}
    data = load("base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")
    assert data["c"] == {"y": 3, "x": 1}
    data = load("a: &a {x: 1}\nb: &b {x: 2, z: 3}\nc: {<<: [*a, *b]}\n")
    assert data["c"] == {"x": 1, "z": 3}
