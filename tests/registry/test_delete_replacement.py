"""A version another one names as ``replaced_by`` is not deleted: it must exist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envyard.errors import ConflictError, NotFoundError
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.testing.plugin import unique_name


@pytest.fixture
def envs(metastore_url: str) -> Iterator[RegistryService]:
    yield Registry.open(metastore_url).environments


def _env(name: str, description: str = "") -> dict[str, object]:
    return {"name": name, "image": "busybox", "description": description}


def test_the_documented_flow_refuses_to_delete_the_replacement(envs: RegistryService) -> None:
    name = unique_name("team")
    envs.create(_env(name))
    envs.update(name, {"description": "two"}, replace=False)
    envs.deprecate(f"{name}@1", replaced_by=f"{name}@2", delete_on="2027-06-30")
    envs.archive(f"{name}@1")
    with pytest.raises(ConflictError, match=rf"{name}@2 is the replacement .* of {name}@1"):
        envs.delete(f"{name}@2")
    assert envs.get(f"{name}@2").version == "2"  # nothing changed
    envs.delete(f"{name}@1")  # the end of the lifecycle: the deprecated one goes
    envs.delete(f"{name}@2")  # and now nothing points at @2
    with pytest.raises(NotFoundError):
        envs.get(name)


def test_redeprecating_with_another_replacement_frees_it(envs: RegistryService) -> None:
    name = unique_name("vers")
    envs.create(_env(name))
    envs.update(name, {"description": "1.9", "version": "1.9"}, replace=False)
    envs.update(name, {"description": "2"}, replace=False)
    envs.deprecate(f"{name}@1", replaced_by=f"{name}@1.9")
    with pytest.raises(ConflictError, match=f"of {name}@1;"):
        envs.delete(f"{name}@1.9")
    envs.deprecate(f"{name}@1", replaced_by=name)  # the name: whatever is current
    envs.delete(f"{name}@1.9")
    assert envs.get(f"{name}@1").replaced_by == name


def test_deleting_a_whole_name_checks_other_names(envs: RegistryService) -> None:
    old, new = unique_name("old"), unique_name("new")
    envs.create(_env(old))
    envs.create(_env(new))
    envs.update(new, {"description": "two"}, replace=False)
    envs.deprecate(old, replaced_by=new)
    envs.delete(f"{new}@1")  # `new` still resolves: the pointer is the name
    with pytest.raises(ConflictError, match=f"{new} is the replacement .* of {old}@1"):
        envs.delete(new)
    with pytest.raises(ConflictError, match=f"{new}@2 is the replacement"):
        envs.delete(f"{new}@2")  # the last version: the name would go with it
    envs.delete(old)
    envs.delete(new)
    # versions of the name being deleted may point at one another
    same = unique_name("same")
    envs.create(_env(same))
    envs.update(same, {"description": "two"}, replace=False)
    envs.deprecate(f"{same}@1", replaced_by=f"{same}@2")
    envs.delete(same)
    with pytest.raises(NotFoundError):
        envs.get(same)
