"""The direct JSONPath walker gives the RFC 9535 engine's locations, in the engine's order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from envyard.overrides.matching.query import compile_walker
from envyard.spec.overrides import compile_jsonpath

QUERIES = [
    "$..image",
    "$..pip[*]",
    "jobs.*.image",
    "$.a.b[0]",
    "$.a.b[-1]",
    "$.a.b[-9]",
    "$.a.b[7]",
    "$..[0]",
    "$..*",
    "$.*",
    "$..a..b",
    "$['a','b']",
    "$..['image','b'][*]",
    "$[*][*].a",
    "$..b[-2]",
    "tags",
]
NAMES = ["a", "b", "image", "pip", "jobs", "tags", "1"]


def _random_data(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(["x", 1, None, True, "polymer.io/img:1", 2.5])
    if roll < 0.65:
        return {rng.choice(NAMES): _random_data(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    return [_random_data(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def _engine(query: Any, data: Any) -> list[tuple[Any, ...]]:
    return [tuple(node.location) for node in query.finditer(data)]


@pytest.mark.parametrize("key", QUERIES)
def test_walker_matches_the_engine_on_random_documents(key: str) -> None:
    query = compile_jsonpath(key)
    walk = compile_walker(query)
    assert walk is not None
    rng = random.Random(key)  # noqa: S311 - a reproducible test sequence, not crypto
    for _ in range(300):
        data = _random_data(rng, 0)
        assert walk(data) == _engine(query, data), data


@pytest.mark.parametrize("key", ["$..[?@.image]", "$.a[1:3]", "$.a[?length(@) > 1]"])
def test_filters_and_slices_are_left_to_the_engine(key: str) -> None:
    assert compile_walker(compile_jsonpath(key)) is None


def test_a_document_deeper_than_the_engine_allows_is_left_to_the_engine() -> None:
    query = compile_jsonpath("$..image")
    walk = compile_walker(query)
    assert walk is not None
    deep: Any = {"image": "x"}
    for _ in range(150):
        deep = {"a": deep}
    assert walk(deep) is None
    assert walk({"a": {"image": "x"}}) == [("a", "image")]
