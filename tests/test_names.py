"""The one name rule: a full match, no control characters, safe as a ref, a path, a word."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, ValidationError

from envyard.errors import SpecError
from envyard.names import NAME_PATTERN, SCHEMA_PATTERN, Name, check_name, is_name
from envyard.yamlio import load

HOSTILE = [
    "seed\n",
    "seed\r",
    "seed\r\n",
    "seed\x00",
    "\nseed",
    "se\ted",
    "../seed",
    "..",
    ".",
    "-rf",
    "--help",
    "refs/heads/main",
    "seed/../../x",
    "seed\u202e",
    "seed\u2028",
    "seed\x85",
    "seed\u200b",
    " seed",
    "seed ",
    "",
    "a" * 129,
    "$(id)",
    "`id`",
    "a;rm -rf /",
    "a b",
    "a:b",
    "a@1",
    "a~1",
    "a^",
    "séed",
    "seed\U0001f600",
]

GOOD = ["seed", "team-default", "py3.11_gpu", "7", "A", "a" * 128, "v1.2.3-rc.1"]


@pytest.mark.parametrize("name", HOSTILE, ids=repr)
def test_hostile_names_are_refused(name: str) -> None:
    assert not is_name(name)
    with pytest.raises(SpecError) as info:
        check_name(name, "environment name")
    text = str(info.value)
    assert "\n" not in text and "\r" not in text and "\x00" not in text
    assert "is not a valid environment name" in text or "an empty name" in text


@pytest.mark.parametrize("name", GOOD)
def test_good_names(name: str) -> None:
    assert check_name(name) == name


def test_the_pattern_is_used_as_a_full_match() -> None:
    assert re.match(f"^{NAME_PATTERN}$", "seed\n")  # the trap: `$` before a final newline
    assert not is_name("seed\n")
    assert f"^{NAME_PATTERN}$" == SCHEMA_PATTERN


class Model(BaseModel):
    name: Name


def test_the_pydantic_type() -> None:
    assert Model(name="seed").name == "seed"
    assert Model.model_validate({"name": 7}).name == "7"
    assert Model.model_validate(load("name: 1.10\n")).name == "1.10"
    with pytest.raises(ValidationError):
        Model.model_validate({"name": True})
    with pytest.raises(ValidationError, match="is not a valid name"):
        Model(name="seed\n")
    schema = Model.model_json_schema()
    assert schema["properties"]["name"]["pattern"] == SCHEMA_PATTERN
