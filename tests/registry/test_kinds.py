"""Content hashes and references."""

from __future__ import annotations

import pytest

from envyard.errors import NotFoundError
from envyard.registry.kinds import ENVIRONMENT, validate_environment
from envyard.registry.refs import Ref, parse_ref


def test_content_hash_covers_what_runs_only() -> None:
    base = validate_environment({"name": "a", "image": "python:3.11", "kernel": ["six"]}).document
    same = {**base, "description": "other words", "tags": {"x": ""}}
    other = {**base, "kernel": ["six==1.16.0"]}
    assert ENVIRONMENT.content_hash(base) == ENVIRONMENT.content_hash(same)
    assert ENVIRONMENT.content_hash(base) != ENVIRONMENT.content_hash(other)


def test_seed_spellings_are_accepted() -> None:
    checked = validate_environment(
        {"name": "a", "docker-image": "python:3.11", "vm-image": "ami-1"}
    )
    assert (checked.document["image"], checked.document["vm_image"]) == ("python:3.11", "ami-1")


@pytest.mark.parametrize(
    ("text", "ref"),
    [("team", Ref("team")), ("team@3", Ref("team", "3")), ("a.b@1.0", Ref("a.b", "1.0"))],
)
def test_parse_ref(text: str, ref: Ref) -> None:
    assert parse_ref(text) == ref
    assert str(ref) == text.strip()


@pytest.mark.parametrize("text", ["", "@1", "a@", "a b", "a@1@2", "-a", " a", "a\n", "a@1\n"])
def test_bad_refs_name_nothing(text: str) -> None:
    with pytest.raises(NotFoundError):
        parse_ref(text)
