"""Scalar-only changes patched from their locations give exactly the full patcher's text."""

from __future__ import annotations

import random
from typing import Any

import pytest

from envyard.overrides.editing.nodes import parse_yaml
from envyard.overrides.editing.scalars import patch_scalars
from envyard.overrides.editing.spans import patch_text
from envyard.overrides.matching.apply import apply_rules
from envyard.overrides.matching.rules import MISSING, Change, Rule

DOC = """\
# a component
name: comp  # trailing comment
version: '1.0'
tags: {owner: me, team: "core"}
count: 3
flag: false
environment:
  docker:
    image: "polymerprod.azurecr.io/base:1"
  list: [a, 'b', "c"]
pip:
  - --index-url https://old.example/simple/
  - x==1
"""
JSON_DOC = '{\n  "name": "comp",\n  "env": {"image": "old/img:1"},\n  "n": 1\n}\n'
NEW_VALUES = ["new", "with: colon", "true", "1.5", "it's", 'say "hi"', "", 7, 2.5, None, True]


def _scalar_locations(data: Any, location: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [loc for k, v in data.items() for loc in _scalar_locations(v, (*location, k))]
    if isinstance(data, list):
        return [loc for i, v in enumerate(data) for loc in _scalar_locations(v, (*location, i))]
    return [location]


def _set(data: Any, location: tuple[Any, ...], value: Any) -> None:
    for part in location[:-1]:
        data = data[part]
    data[location[-1]] = value


@pytest.mark.parametrize(("text", "json_file"), [(DOC, False), (JSON_DOC, True)])
def test_random_scalar_changes_match_the_full_patch(
    text: str, json_file: bool, rules_from: Any
) -> None:
    rule: Rule = rules_from("x:\n  a: b\n")[0]
    doc = parse_yaml(text, "f.yaml")
    locations = _scalar_locations(doc.data)
    rng = random.Random(7)  # noqa: S311 - a reproducible test sequence, not crypto
    done = 0
    for _ in range(200):
        new = parse_yaml(text, "f.yaml").data
        changes = []
        for location in rng.sample(locations, rng.randint(1, 3)):
            value = rng.choice(NEW_VALUES)
            changes.append(Change(location, "old", value, rule, 1))
            _set(new, location, value)
        fast = patch_scalars(doc, new, changes, json_file=json_file)
        full = patch_text(doc, new, json_file=json_file)
        if fast is not None:
            done += 1
            assert fast == full
            assert parse_yaml(fast, "f.yaml").data == new
    assert done > 150  # the direct patch applies to nearly every scalar change


def test_structural_changes_go_through_the_full_patch(rules_from: Any) -> None:
    doc = parse_yaml(DOC, "f.yaml")
    rules = rules_from("tags:\n  added: yes-please\n")
    new, changes, _ = apply_rules(doc.data, rules)
    assert changes[0].old is MISSING
    assert patch_scalars(doc, new, changes) is None
    assert "added: yes-please" in patch_text(doc, new)


def test_anchors_and_block_scalars_go_through_the_full_patch(rules_from: Any) -> None:
    rule = rules_from("x:\n  a: b\n")[0]
    anchored = parse_yaml("a: &x old\nb: *x\n", "f.yaml")
    assert (
        patch_scalars(anchored, {"a": "new", "b": "old"}, [Change(("a",), "old", "new", rule, 1)])
        is None
    )
    block = parse_yaml("a: |\n  old\n", "f.yaml")
    assert patch_scalars(block, {"a": "new\n"}, [Change(("a",), "old\n", "new\n", rule, 1)]) is None


def test_a_value_changed_back_is_left_as_written(rules_from: Any) -> None:
    rule = rules_from("x:\n  a: b\n")[0]
    doc = parse_yaml("a: 0x1F  # hex\n", "f.yaml")
    changes = [Change(("a",), 31, "x", rule, 1), Change(("a",), "x", 31, rule, 1)]
    assert patch_scalars(doc, {"a": 31}, changes) == "a: 0x1F  # hex\n"
