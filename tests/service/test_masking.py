"""A reader of the REST API or the web UI never sees the credentials of an environment's URLs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from envyard.registry.store import Registry
from envyard.service.testing import EnvyardServer
from envyard.testing.conda_channel import (
    CondaChannel,
    conda_channel,
    served_with_credentials,
)
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

__all__ = ["conda_channel"]


@pytest.fixture
def http(sqlite_server: EnvyardServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sqlite_server.url, timeout=30, trust_env=False) as client:
        yield client


def test_api_and_ui_mask_channel_and_index_credentials(
    http: httpx.Client,
    sqlite_server: EnvyardServer,
    conda_channel: CondaChannel,
    locking_index: PypiIndex,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    channel, index = served_with_credentials(conda_channel, locking_index.url, monkeypatch)
    name = unique_name("cred")
    kernel = {
        "channels": [channel],
        "dependencies": ["tinyconda=1.0", {"pip": [f"--index-url {index}", "six"]}],
    }
    envs = Registry.open(sqlite_server.db_url).environments
    envs.create({"name": name, "image": "python:3.11-slim", "kernel": kernel})
    stored = envs.lock(name).lock
    assert stored is not None and "s3cretpw" in stored.channels[0]  # kept for installs

    pages = [
        f"/api/v1/environments/{name}",
        f"/api/v1/environments/{name}@1",
        f"/api/v1/environments/{name}/resolve",
        f"/api/v1/environments/{name}/versions",
        f"/api/v1/environments/{name}/versions/1",
        f"/api/v1/environments/{name}/lock",
        f"/api/v1/environments?prefix={name}",
        f"/environments/{name}",
        f"/environments/{name}/packages?version=1",
        f"/environments/{name}/edit",
    ]
    for page in pages:
        for _ in range(2):  # the second read comes from the read caches
            got = http.get(page)
            assert got.status_code == 200, page
            assert "s3cretpw" not in got.text and "pw123" not in got.text, page
            assert "alice:***@" in got.text, page
    lock = http.get(f"/api/v1/environments/{name}/lock").json()["lock"]
    assert lock["channels"] == [conda_channel.http_url.replace("http://", "http://alice:***@")]
    assert "bob:***@" in http.get(f"/api/v1/environments/{name}").text
