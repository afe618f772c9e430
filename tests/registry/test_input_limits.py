"""Input no metastore can hold is a user error (422 / exit 1), never an internal one: a list
offset beyond 64 bits, a NUL character in a document, a prefix or a tag filter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envyard.client import Client
from envyard.errors import SpecError
from envyard.registry import MAX_OFFSET
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.testing.plugin import unique_name


@pytest.fixture
def envs(metastore_url: str) -> Iterator[RegistryService]:
    yield Registry.open(metastore_url).environments


def test_offsets_beyond_64_bits_are_refused(envs: RegistryService) -> None:
    envs.create({"name": unique_name("one"), "image": "busybox"})
    assert envs.list(offset=MAX_OFFSET).items == []  # the largest offset works
    with pytest.raises(SpecError, match=r"offset 0\.\.9223372036854775807") as caught:
        envs.list(offset=MAX_OFFSET + 1)
    assert caught.value.diagnostics[0].field == "offset"


@pytest.mark.parametrize(
    "body",
    [
        {"tags": {"k": "v\x00x"}},
        {"tags": {"k\x00": "v"}},
        {"description": "a\x00b"},
        {"kernel": ["six", "nu\x00mpy"]},
    ],
)
def test_a_nul_character_in_a_document_is_refused(envs: RegistryService, body: dict) -> None:
    name = unique_name("nul")
    with pytest.raises(SpecError, match="NUL character"):
        envs.create({"name": name, "image": "busybox", **body})
    envs.create({"name": name, "image": "busybox"})
    with pytest.raises(SpecError, match="NUL character"):
        envs.update(name, body, replace=False)
    assert [r.version for r in envs.versions(name)] == ["1"]


def test_a_nul_character_in_a_filter_is_refused(envs: RegistryService, metastore_url: str) -> None:
    cases = [({"prefix": "a\x00"}, "prefix"), ({"tag": "k=v\x00x"}, "tag[0]")]
    for kwargs, field in [*cases, ({"tag": ["GPU", "k\x00"]}, "tag[1]")]:
        with pytest.raises(SpecError, match="NUL character") as caught:
            envs.list(**kwargs)  # type: ignore[arg-type]
        assert caught.value.diagnostics[0].field == field
    with Client(None, None) as client, pytest.raises(SpecError, match="NUL character"):
        client.environments.list(prefix="a\x00")
