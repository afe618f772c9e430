"""Versions are locked when they are made: stored, immutable, relocked, diffed and searched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envyard.errors import ConflictError, NotFoundError, ResolveError, SpecError
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry
from envyard.testing.conda_channel import CondaChannel, isolated_conda_env
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex


@pytest.fixture
def envs(metastore_url: str) -> Iterator[RegistryService]:
    registry = Registry.open(metastore_url)
    yield registry.environments


def _env(name: str, kernel: object, **extra: object) -> dict[str, object]:
    return {"name": name, "image": "python:3.11-slim", "kernel": kernel, **extra}


def test_a_version_keeps_its_lock_and_relock_makes_a_new_one(
    envs: RegistryService, locking_index: PypiIndex
) -> None:
    pkg, name = unique_name("moving").replace("-", "_"), unique_name("locked")
    locking_index.add_wheel(pkg, "1.0")
    first = envs.create(_env(name, [pkg]))
    assert first.lock_hash is not None and first.lock_hash.startswith("sha256:")
    assert first.spec_hash is not None
    view = envs.lock(name)
    assert view.lock is not None
    assert view.lock.digest() == first.lock_hash
    (package,) = view.lock.platforms["linux-64"].pip
    assert (package.version, len(package.wheels[0].sha256)) == ("1.0", 64)
    assert package.wheels[0].url.startswith(locking_index.root_url)

    locking_index.add_wheel(pkg, "2.0")  # a newer release changes no stored lock
    assert envs.lock(f"{name}@1").lock == view.lock
    second = envs.update(name, {"description": "same kernel"}, replace=False)
    assert second.lock_hash == first.lock_hash  # the kernel did not change: same packages

    third = envs.relock(name)
    assert third.version == "3"
    assert third.lock_hash != first.lock_hash
    changes = envs.diff(third.ref, first.ref).changes
    assert [(c.name, c.change, c.old, c.new) for c in changes] == [
        (pkg.replace("_", "-"), "upgraded", "1.0", "2.0")
    ]
    assert envs.diff(third.ref).old == f"{name}@2"  # default base: the version before
    with pytest.raises(ConflictError, match="same packages"):
        envs.relock(name)

    found = envs.search_packages(f"{pkg}>=2")
    assert [(m.ref, m.version) for m in found] == [(third.ref, "2.0")]
    assert envs.search_packages(f"{pkg}<2") == []  # only current versions are searched


def test_a_kernel_that_cannot_be_locked_is_not_stored(envs: RegistryService) -> None:
    name, missing = unique_name("unlockable"), unique_name("absent")
    with pytest.raises(ResolveError, match=missing):
        envs.create(_env(name, [f"{missing}==1.0"]))
    with pytest.raises(NotFoundError):
        envs.get(name)


def test_no_kernel_no_lock_and_more_platforms_on_request(envs: RegistryService) -> None:
    bare = envs.create({"name": unique_name("bare"), "image": "python:3.11-slim"})
    assert bare.lock_hash is None
    assert envs.lock(bare.ref).lock is None
    record = envs.create(_env(unique_name("multi"), ["six"]), platforms=["osx-arm64"])
    lock = envs.lock(record.ref).lock
    assert lock is not None
    assert list(lock.platforms) == ["linux-64", "osx-arm64"]
    with pytest.raises(SpecError, match="unknown platform"):
        envs.create(_env(unique_name("bad"), ["six"]), platforms=["amiga-68k"])


def test_search_query_must_be_a_requirement(envs: RegistryService) -> None:
    with pytest.raises(SpecError, match="not a package query"):
        envs.search_packages("torch >>> 2")


def test_mixed_kernel_locks_conda_first_then_pip(
    envs: RegistryService,
    conda_channel: CondaChannel,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: object,
) -> None:
    conda_channel.add_package("tinydep", "0.5")
    conda_channel.add_package("tinyconda", "1.0", depends=["tinydep >=0.5"])
    for key, value in isolated_conda_env(conda_channel.root.parent, {}).items():
        monkeypatch.setenv(key, value)
    kernel = {"channels": [conda_channel.url], "dependencies": ["tinyconda=1.0", {"pip": ["six"]}]}
    record = envs.create(_env(unique_name("mixed"), kernel))
    lock = envs.lock(record.ref).lock
    assert lock is not None
    linux = lock.platforms["linux-64"]
    assert [(c.name, c.version, c.subdir) for c in linux.conda] == [
        ("tinyconda", "1.0", "noarch"),
        ("tinydep", "0.5", "noarch"),
    ]
    assert [p.name for p in linux.pip] == ["six"]
    assert lock.channels == (conda_channel.url,)
    assert all(len(c.sha256) == 64 and c.url.startswith(conda_channel.url) for c in linux.conda)


@pytest.mark.parametrize("line", ["-r /etc/passwd", "--constraint c.txt", "-e ."])
def test_lines_that_read_other_files_are_refused(envs: RegistryService, line: str) -> None:
    with pytest.raises(SpecError, match="reads another file"):
        envs.create(_env(unique_name("sneaky"), ["six", line]))
