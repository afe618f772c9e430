"""``update`` and ``relock`` number a new version one above the highest numeric version."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.testing.plugin import unique_name


@pytest.fixture
def envs(metastore_url: str) -> Iterator[RegistryService]:
    yield Registry.open(metastore_url).environments


def test_after_an_explicit_five_updates_give_six_and_seven(envs: RegistryService) -> None:
    name = unique_name("five")
    assert envs.create({"name": name, "version": "5", "image": "busybox"}).version == "5"
    made = [envs.update(name, {"description": d}, replace=False).version for d in "ab"]
    assert made == ["6", "7"]
    assert [r.version for r in envs.versions(name)] == ["7", "6", "5"]
    assert envs.get(name).version == "7"


def test_labels_that_are_not_numbers_count_versions(envs: RegistryService) -> None:
    name = unique_name("semver")
    envs.create({"name": name, "version": "1.0.0", "image": "busybox"})
    assert envs.update(name, {"description": "x"}, replace=False).version == "2"
    envs.update(name, {"description": "y", "version": "1.1.0"}, replace=False)
    assert envs.update(name, {"description": "z"}, replace=False).version == "3"
