"""Loading the tenant_overrides block: every problem reported at once, with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import NotFoundError, SpecError
from envyard.overrides.profiles.load import load_profiles

from .conftest import write


def test_rules_keep_their_lines_and_order(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "o.yaml": """
            run: {}
            tenant_overrides:
              t:
                b.c:
                  x: y
                $..image:
                  $set: i
            """
        },
    )
    profiles = load_profiles(tmp_path / "o.yaml")
    rules = profiles.get("t")
    assert [(r.key, r.jsonpath, r.line, r.col) for r in rules] == [
        ("b.c", "$['b']['c']", 4, 5),
        ("$..image", "$..['image']", 6, 5),
    ]
    assert rules[0].pairs[0].line == 5
    with pytest.raises(NotFoundError, match="profiles in tenant_overrides: t"):
        profiles.get("u")


def test_every_problem_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "o.yaml": """
            tenant_overrides:
              t:
                a:
                  '(x': y
                b:
                  $remove: true
                  $set: 1
                c:
                  '(?P<n>x)': '${m}'
            """
        },
    )
    with pytest.raises(SpecError) as info:
        load_profiles(tmp_path / "o.yaml")
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert "not a valid regular expression" in lines[0]
    assert "'$remove' cannot be combined" in lines[1]
    assert "'${m}' refers to no named group" in lines[2]
