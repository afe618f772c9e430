"""Staged text keeps everything a rule did not change: comments, key order, quoting, layout."""

from __future__ import annotations

import textwrap
from typing import Any

from envyard.overrides.editing.nodes import parse_yaml
from envyard.overrides.editing.spans import patch_text, same
from envyard.overrides.matching.rules import copy_data

SPEC = textwrap.dedent(
    """\
    # leading comment
    name: demo   # trailing comment
    version: 0.0.2
    is_deterministic: False
    quoted: 'single'
    double: "double"
    tags:
      owner: team-a   # who
    # between keys
    environment:
      docker:
        image: prod.io/base:1
      conda:
        dependencies:
            - python=3.11
            - pip:
              - a==1
              - --index-url https://old/simple/
    flow: [1, 2]
    launcher:
      args: >-
        python run.py
        --fast
    """
)


def _patched(change: Any, text: str = SPEC) -> tuple[str, Any]:
    doc = parse_yaml(text, "spec.yaml")
    new = copy_data(doc.data)
    change(new)
    out = patch_text(doc, new)
    assert same(parse_yaml(out, "out").data, new)
    return out, new


def _diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    import difflib

    return [
        (line[0], line[1:].rstrip("\n"))
        for line in difflib.unified_diff(old.splitlines(True), new.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_scalar_change_touches_only_that_value() -> None:
    def change(d: Any) -> None:
        d["environment"]["docker"]["image"] = "dev.io/base:1"
        d["name"] = "renamed"

    out, _ = _patched(change)
    assert out == SPEC.replace("prod.io/base:1", "dev.io/base:1").replace(
        "name: demo   #", "name: renamed   #"
    )


def test_quoting_style_is_kept_and_unsafe_plain_values_are_quoted() -> None:
    def change(d: Any) -> None:
        d["quoted"] = "it's"
        d["double"] = 'say "hi"'
        d["version"] = "true"
        d["tags"]["owner"] = "a: b"

    out, _ = _patched(change)
    assert "quoted: 'it''s'\n" in out
    assert 'double: "say \\"hi\\""\n' in out
    assert "version: 'true'\n" in out
    assert "  owner: 'a: b'   # who\n" in out
    assert "is_deterministic: False\n" in out


def test_added_tag_is_a_new_line_at_the_mapping_indentation() -> None:
    out, _ = _patched(lambda d: d["tags"].update(eyesoff="eyeson"))
    assert _diff_lines(SPEC, out) == [("+", "  eyesoff: eyeson")]
    assert out.index("eyesoff: eyeson") < out.index("# between keys")


def test_appended_list_item_follows_the_lists_own_indentation() -> None:
    def change(d: Any) -> None:
        d["environment"]["conda"]["dependencies"][1]["pip"].append("--extra-index-url https://x/")
        d["environment"]["conda"]["dependencies"].insert(0, "conda-forge::pip")

    out, _ = _patched(change)
    assert _diff_lines(SPEC, out) == [
        ("+", "        - conda-forge::pip"),
        ("+", "          - --extra-index-url https://x/"),
    ]


def test_removed_key_and_item_lose_only_their_lines() -> None:
    def change(d: Any) -> None:
        del d["environment"]["docker"]
        d["environment"]["conda"]["dependencies"][1]["pip"].remove("a==1")

    out, _ = _patched(change)
    assert _diff_lines(SPEC, out) == [
        ("-", "  docker:"),
        ("-", "    image: prod.io/base:1"),
        ("-", "          - a==1"),
    ]


def test_flow_list_and_folded_scalar_are_rewritten_in_place() -> None:
    def change(d: Any) -> None:
        d["flow"] = [1, 2, 3]
        d["launcher"]["args"] = "python run.py\n--slow"

    out, new = _patched(change)
    assert "flow: [1, 2, 3]\n" in out
    assert new["launcher"]["args"] == "python run.py\n--slow"
    assert out.startswith("# leading comment\nname: demo   # trailing comment\n")


def test_new_nested_mapping_and_type_change() -> None:
    def change(d: Any) -> None:
        d["environment"]["docker"]["build"] = {"context": ".", "args": ["A=1"]}
        d["version"] = {"major": 0}

    out, _ = _patched(change)
    assert "    build:\n      context: .\n      args:\n" in out
    assert "version:\n  major: 0\n" in out
    assert "# between keys\n" in out


def test_anchors_fall_back_to_a_round_trip_dump_that_keeps_comments() -> None:
    text = "base: &b\n  image: prod  # c1\nuse: *b\n# end\n"

    def change(d: Any) -> None:
        d["use"]["image"] = "dev"

    out, new = _patched(change, text)
    assert new["base"]["image"] == "prod"
    assert "# c1" in out


def test_unchanged_document_is_returned_as_is() -> None:
    out, _ = _patched(lambda d: None)
    assert out == SPEC


def test_crlf_files_keep_their_line_endings() -> None:
    text = "# c\r\nname: a\r\ntags:\r\n  x: 1\r\n"

    def change(d: Any) -> None:
        d["tags"]["y"] = 2
        d["name"] = "b"

    out, _ = _patched(change, text)
    assert out == "# c\r\nname: b\r\ntags:\r\n  x: 1\r\n  y: 2\r\n"


def test_json_files_stay_json() -> None:
    import json

    text = '{\n    "name": "a",\n    "version": 1,\n    "tags": {"x": "1"}\n}\n'
    doc = parse_yaml(text, "env.json")
    new = copy_data(doc.data)
    new["version"] = "2.0"
    assert patch_text(doc, new, json_file=True) == text.replace('"version": 1', '"version": "2.0"')
    new["tags"]["y"] = "2"
    out = patch_text(doc, new, json_file=True)
    assert json.loads(out) == new
    assert out.startswith('{\n    "name": "a",\n')


def test_emptied_mapping_under_a_commented_key_keeps_the_comment() -> None:
    text = "a:\n  keep: 1\nb: # note\n  x: 1\n  y: 2\nc: 3\n"

    def change(d: Any) -> None:
        d["b"] = {}
        d["a"] = {}

    out, _ = _patched(change, text)
    assert out == "a: {}\nb: # note\n  {}\nc: 3\n"


def _walk(data: Any, location: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    out = [(location, data)]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _walk(value, (*location, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += _walk(value, (*location, index))
    return out


def test_random_edits_of_the_example_files_always_read_back() -> None:
    """Property: whatever changes, the staged text parses to exactly the intended data."""
    import random
    from pathlib import Path

    rng = random.Random(20261123)  # noqa: S311 - a reproducible test sequence, not crypto
    values: list[Any] = ["x", "a: b", "true", 1, None, "two\nlines", "it's", "-x", {"k": [1]}, []]
    examples = sorted(Path(__file__).parents[2].joinpath("examples").rglob("*.y*ml"))
    assert len(examples) >= 10
    for path in examples:
        doc = parse_yaml(path.read_text(encoding="utf-8"), str(path))
        for _ in range(6):
            new = copy_data(doc.data)
            location, value = rng.choice(_walk(new)[1:] or [((), None)])
            if not location:
                continue
            parent = new
            for part in location[:-1]:
                parent = parent[part]
            action = rng.choice(("set", "delete", "add"))
            if action == "set":
                parent[location[-1]] = rng.choice(values)
            elif action == "delete":
                del parent[location[-1]]
            elif isinstance(value, dict):
                value["added"] = rng.choice(values)
            elif isinstance(value, list):
                value.append(rng.choice(values))
            assert same(parse_yaml(patch_text(doc, new), "out").data, new), (path, location)
