"""The session's server locks kernels against the session's pypiserver, never PyPI: a lock
made over REST names the local index and the stand-in wheel it served."""

from __future__ import annotations

import httpx

from envyard.service.testing import EnvyardServer
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex

API = "/api/v1/environments"


def test_the_server_locks_against_the_local_index(
    sqlite_server: EnvyardServer, pypi_index: PypiIndex
) -> None:
    name = unique_name("local-index")
    admin = {"Authorization": f"Bearer {sqlite_server.tokens['admin']}"}
    body = {"name": name, "image": "python:3.11-slim", "kernel": ["six==1.16.0"]}
    with httpx.Client(base_url=sqlite_server.url, timeout=120, trust_env=False) as http:
        assert http.post(API, json=body, headers=admin).status_code == 201
        lock = http.get(f"{API}/{name}@1/lock").json()["lock"]
    assert lock["indexes"] == [pypi_index.url]
    (platform,) = lock["platforms"].values()
    (six,) = platform["pip"]
    assert (six["name"], six["version"]) == ("six", "1.16.0")
    assert all(w["url"].startswith(pypi_index.url.rsplit("/simple", 1)[0]) for w in six["wheels"])
