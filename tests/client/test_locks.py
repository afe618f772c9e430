"""Locks through the SDK, in-process and over HTTP (REST): lock, diff, relock, search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from envyard.client import Client
from envyard.errors import ConflictError, ResolveError, SpecError
from envyard.service.testing import EnvyardServer, ServerFactory, envyard_server_factory
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

__all__ = ["envyard_server_factory"]


@pytest.fixture(params=["in-process", "http"])
def client(
    request: pytest.FixtureRequest, metastore_url: str, locking_index: PypiIndex
) -> Iterator[Client]:
    if request.param == "in-process":
        sdk = Client()
    else:
        factory: ServerFactory = request.getfixturevalue("envyard_server_factory")
        server: EnvyardServer = factory(metastore_url)
        sdk = Client(server.url, token=server.tokens["write"])
    with sdk:
        yield sdk


def test_lock_diff_relock_and_search(client: Client, locking_index: PypiIndex) -> None:
    pkg, name = unique_name("sdkpkg").replace("-", "_"), unique_name("sdkenv")
    locking_index.add_wheel(pkg, "1.0")
    record = client.environments.create(
        {"name": name, "image": "python:3.11-slim", "kernel": [pkg]}, platforms=["osx-arm64"]
    )
    view = client.environments.lock(name)
    assert view.ref == record.ref
    assert view.lock_hash == record.lock_hash
    assert view.lock is not None
    assert set(view.lock.platforms) == {"linux-64", "osx-arm64"}
    assert view.lock.packages("linux-64")[pkg.replace("_", "-")] == ("1.0", "pip")

    locking_index.add_wheel(pkg, "1.5")
    new = client.environments.relock(name)
    assert new.ref == f"{name}@2"
    diff = client.environments.diff(new.ref)
    assert diff.old == record.ref
    assert [(c.change, c.old, c.new) for c in diff.changes] == [("upgraded", "1.0", "1.5")]
    with pytest.raises(ConflictError):
        client.environments.relock(name)

    found = client.environments.search_packages(f"{pkg}>=1.5")
    assert {(m.ref, m.platform) for m in found} == {(new.ref, "linux-64"), (new.ref, "osx-arm64")}
    with pytest.raises(SpecError):
        client.environments.search_packages("no way ==")


def test_a_kernel_that_cannot_be_locked_is_a_resolve_error(client: Client) -> None:
    missing = unique_name("nowhere")
    with pytest.raises(ResolveError, match=missing):
        client.environments.create(
            {"name": unique_name("x"), "image": "python:3.11", "kernel": [f"{missing}==1"]}
        )
