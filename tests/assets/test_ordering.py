# ruff: noqa: S311 - seeded shuffles for reproducible ordering checks

import random

import pytest

from envyard.assets.tags.ordering import newest, sort_tags


def test_numbers_compare_as_numbers() -> None:
    assert sort_tags(["v10", "v9", "v1", "v2"]) == ["v1", "v2", "v9", "v10"]
    assert newest(["1.9.2", "1.10.0", "1.2.30"]) == "1.10.0"
    assert newest(["3.11.9-slim", "3.11.10-slim"]) == "3.11.10-slim"


def test_fixed_width_tags_sort_like_strings() -> None:
    tags = [f"monthly.{y}{m:02d}" for y in range(2019, 2026) for m in range(1, 13)]
    shuffled = tags[:]
    random.Random(7).shuffle(shuffled)
    assert sort_tags(shuffled) == sorted(tags)
    assert newest(shuffled) == "monthly.202512"


@pytest.mark.parametrize("seed", range(20))
def test_same_as_string_order_whenever_digit_runs_have_equal_width(seed: int) -> None:
    rng = random.Random(seed)
    tags = [
        "".join(rng.choice("ab.-") if i % 3 else rng.choice("0123456789") for i in range(7))
        for _ in range(30)
    ]
    assert sort_tags(tags) == sorted(tags)


def test_no_tags() -> None:
    assert newest([]) is None
