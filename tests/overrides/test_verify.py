"""The re-read of a staged text: the walk beside the original parse never calls a wrong text
right, and agrees with the full comparison."""

from __future__ import annotations

from typing import Any

import pytest

from envyard.overrides.editing.nodes import parse_yaml
from envyard.overrides.editing.verify import reads_as
from envyard.overrides.matching.apply import Copy
from envyard.overrides.matching.rules import copy_data

ORIGINAL = """\
name: c1  # a comment
tags: {team: a, stage: 'b'}
merged:
  <<: {x: 1, y: 2}
  z: 3
deps:
  - python=3.7
  - pip:
    - azureml-core==1.0
    - --index-url https://feed/
image: old
"""


def _intended(edit: Any) -> Any:
    doc = parse_yaml(ORIGINAL, "spec.yaml")
    new = copy_data(doc.data)
    edit(new)
    return doc, new


def _set_image(data: Any) -> None:
    data["image"] = "new"


def _drop_feed(data: Any) -> None:
    del data["deps"][1]["pip"][1]


SCALAR_EDITS = [
    (ORIGINAL.replace("image: old", "image: new"), True),
    (ORIGINAL.replace("image: old", "image: [new]"), False),  # a list
    (ORIGINAL.replace("image: old", "image: new").replace("c1", "c2"), False),  # untouched
    (ORIGINAL.replace("image: old", "image: new").replace("z: 3", "z: '3'"), False),
    (ORIGINAL.replace("image: old", "image: new").replace("x: 1", "x: 5"), False),  # merged
    (ORIGINAL.replace("image: old", "image: new").replace("  # a comment", ""), True),
    (ORIGINAL.replace("image: old", "image: new").replace("stage: 'b'", "stage: c"), False),
    (ORIGINAL.replace("image: old", "image: new").replace("stage: 'b'", 'stage: "b"'), True),
    (ORIGINAL.replace("image: old", "image: new").replace("- python=3.7", "- 3.7"), False),
    (ORIGINAL.replace("image: old", "image: new").replace("team: a", "team: [a]"), False),
]


@pytest.mark.parametrize(("text", "expected"), SCALAR_EDITS)
def test_scalar_edit(text: str, expected: bool) -> None:
    doc, new = _intended(_set_image)
    assert reads_as(doc, text, new, {("image",)}) is expected
    assert reads_as(doc, text, new) is expected  # the full comparison agrees


@pytest.mark.parametrize(("text", "expected"), SCALAR_EDITS)
def test_scalar_edit_beside_parts_the_rules_shared(text: str, expected: bool) -> None:
    """As the planner makes it: the untouched mappings and lists are the original's objects."""
    doc = parse_yaml(ORIGINAL, "spec.yaml")
    new = Copy(doc.data)
    new.container(())["image"] = "new"
    assert new.data["tags"] is doc.data["tags"]
    assert reads_as(doc, text, new.data, {("image",)}) is expected
    assert reads_as(doc, text, new.data) is expected


def test_removed_item_compares_the_list() -> None:
    doc, new = _intended(_drop_feed)
    good = ORIGINAL.replace("    - --index-url https://feed/\n", "")
    assert reads_as(doc, good, new, {("deps", 1, "pip")})
    bad = ORIGINAL.replace("    - --index-url https://feed/\n", "    -\n")
    assert not reads_as(doc, bad, new, {("deps", 1, "pip")})


def test_intended_data_changed_outside_the_edits_is_caught() -> None:
    doc, new = _intended(_set_image)
    new["name"] = "other"  # a change the edits do not account for
    text = ORIGINAL.replace("image: old", "image: new")
    assert not reads_as(doc, text, new, {("image",)})


def test_the_walk_itself_proves_a_plain_scalar_edit() -> None:
    """The common case is decided beside the original parse, without the full conversion."""
    from envyard.overrides.editing.verify import _Comparison, _trie
    from envyard.yamlio import compose

    original = ORIGINAL.replace("merged:\n  <<: {x: 1, y: 2}", "m:")  # no merge key
    text = original.replace("image: old", "image: new")
    doc = parse_yaml(original, "spec.yaml")
    new = copy_data(doc.data)
    new["image"] = "new"
    _Comparison("spec.yaml").node(doc.node, compose(text), doc.data, new, _trie({("image",)}))
