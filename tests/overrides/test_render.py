"""New values are written so that they read back as the same value, in the old value's style."""

from __future__ import annotations

from typing import Any

import pytest

from envyard.overrides.editing.render import (
    check_scalar_text,
    plain_ok,
    render_block,
    render_scalar,
)


@pytest.mark.parametrize(
    ("value", "style", "text"),
    [
        ("mcr.microsoft.com/a:1", None, "mcr.microsoft.com/a:1"),
        ("--index-url https://x/", None, "--index-url https://x/"),
        ("true", None, "'true'"),
        ("yes", None, "'yes'"),  # a YAML 1.1 reader (PyYAML: AzureML, shrike) reads a boolean
        ("off", "", "'off'"),
        ("2024-01-01", None, "'2024-01-01'"),  # ... a date
        ("0b101", None, "'0b101'"),  # ... an integer
        ("1:20", None, "'1:20'"),  # ... a base-60 integer
        ("y", None, "y"),  # a string for PyYAML too
        ("1.5", "", "'1.5'"),
        ("a: b", None, "'a: b'"),
        ("x # y", None, "'x # y'"),
        ("it's", "'", "'it''s'"),
        ('say "hi"', '"', '"say \\"hi\\""'),
        ("two\nlines", None, '"two\\nlines"'),
        (True, None, "true"),
        (None, None, "null"),
        (3, "'", "3"),
    ],
)
def test_scalar_rendering_reads_back(value: Any, style: str | None, text: str) -> None:
    assert render_scalar(value, style) == text
    assert check_scalar_text(text, value)


def test_plain_ok_refuses_indicators_and_other_types() -> None:
    assert plain_ok("polymerdev.azurecr.io/x")
    for bad in ("", "- x", "[a]", "*alias", "null", "0x1F", " lead", "trail ", "a #b"):
        assert not plain_ok(bad), bad


def test_block_rendering_indents_following_lines() -> None:
    assert render_block({"a": [1, {"b": 2}], "c": "d"}, 4) == (
        "a:\n      - 1\n      - b: 2\n    c: d"
    )
    assert render_block(["x", {"y": 1}], 2) == "- x\n  - y: 1"
    assert render_block({}, 2) == "{}"
