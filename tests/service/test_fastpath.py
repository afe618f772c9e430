"""The fast read path answers exactly like the route, and never stale.

In-process (httpx's ASGI transport on ``FastReads``, SQLite and PostgreSQL) to see that
answers are really kept and reused; against real multi-worker servers for what only
separate processes show (another process's writes, auth modes).
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from envyard.registry.db import close_all
from envyard.registry.store import Registry
from envyard.service.app import create_app, server_app
from envyard.service.fastpath import FastReads
from envyard.service.testing import EnvyardServer, ServerFactory, make_tokens
from envyard.testing.plugin import unique_name

API = "/api/v1/environments"


def same(fast: httpx.Response, slow: httpx.Response) -> None:
    """Status, body and every header but the clock's are identical."""
    assert fast.status_code == slow.status_code
    assert fast.content == slow.content
    drop = {"date"}
    assert [(k, v) for k, v in fast.headers.multi_items() if k not in drop] == [
        (k, v) for k, v in slow.headers.multi_items() if k not in drop
    ]


def envyard_cli(*args: str) -> str:
    """Run the CLI as a separate process on the local metastore (ENVYARD_DB_URL)."""
    done = subprocess.run(
        [sys.executable, "-m", "envyard", *args],
        capture_output=True, text=True, env=dict(os.environ), check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@dataclass
class InProcess:
    app: FastReads
    fast: httpx.AsyncClient
    """Requests through ``app`` (the fast path first)."""
    route: httpx.AsyncClient
    """The same requests to the FastAPI app alone: what the fast path must equal."""
    token: dict[str, str]
    """The header of a read token."""


def run_in_process(
    metastore_url: str,
    scenario: Callable[[InProcess], Awaitable[None]],
    *,
    need_token: bool = False,
) -> None:
    """``scenario(InProcess(...))`` on ``FastReads(create_app())``."""
    tokens = make_tokens(metastore_url)
    app = FastReads(create_app(require_read_token=need_token))
    token = {"Authorization": f"Bearer {tokens['read']}"}

    def client(asgi: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://e")

    async def main() -> None:
        async with client(app) as fast, client(app.app) as route:
            try:
                await scenario(InProcess(app, fast, route, token))
            finally:
                if app.freshness is not None:
                    await app.freshness.aclose()

    asyncio.run(main())


def test_answers_are_kept_and_follow_writes_of_other_processes(metastore_url: str) -> None:
    envs = Registry.open(metastore_url).environments
    envs.create({"name": "a", "image": "python:3.11", "tags": {"GPU": ""}})
    envs.create({"name": "b", "image": "python:3.12"})

    async def scenario(t: InProcess) -> None:
        first = await t.fast.get(f"{API}/a")
        assert first.json()["ref"] == "a@1"
        kept = t.app.answers[("environments", "a")]
        assert first.content == kept.body
        assert (await t.fast.get(f"{API}/a")).content == first.content
        assert t.app.answers[("environments", "a")] is kept  # nothing committed: reused as is
        same(await t.fast.get(f"{API}/a"), await t.route.get(f"{API}/a"))

        envyard_cli("env", "deprecate", "a", "--replaced-by", "b", "--delete-on", "2030-06-01")
        deprecated = await t.fast.get(f"{API}/a")
        assert deprecated.json()["state"] == "deprecated"
        assert deprecated.headers["deprecation"] == "true"
        assert deprecated.headers["sunset"] == "2030-06-01"
        assert deprecated.headers["link"] == '<b>; rel="successor-version"'
        assert deprecated.headers["etag"] != first.headers["etag"]
        same(deprecated, await t.route.get(f"{API}/a"))

        envyard_cli("env", "archive", "a")
        gone = await t.fast.get(f"{API}/a")
        assert gone.status_code == 404
        assert gone.json()["detail"] == "every version of environment 'a' is archived"
        same(gone, await t.route.get(f"{API}/a"))
        exact = await t.fast.get(f"{API}/a@1")
        assert (exact.status_code, exact.json()["state"]) == (200, "archived")
        same(exact, await t.route.get(f"{API}/a@1"))

    run_in_process(metastore_url, scenario)


def test_errors_and_other_requests_are_the_routes(metastore_url: str) -> None:
    Registry.open(metastore_url).environments.create({"name": "env-1", "image": "python:3.11"})

    async def scenario(t: InProcess) -> None:
        missing = await t.fast.get(f"{API}/env-2")
        assert missing.status_code == 404
        assert missing.json() == {
            "detail": "environment 'env-2' not found",
            "type": "NotFoundError",
            "hint": "did you mean env-1?",
        }
        same(missing, await t.route.get(f"{API}/env-2"))
        no_version = await t.fast.get(f"{API}/env-1@9")
        assert no_version.status_code == 404
        assert no_version.json()["hint"] == "versions: 1"
        invalid = await t.fast.get(f"{API}/bad name!")
        assert invalid.status_code == 404  # no name has that form: nothing is found
        assert (await t.fast.get(f"{API}/env-1%0A")).status_code == 404  # not env-1
        same(invalid, await t.route.get(f"{API}/bad name!"))
        bogus = await t.fast.get(f"{API}/env-1", headers={"Authorization": "Bearer eyd_no_no"})
        assert bogus.status_code == 401  # a token that is sent is always checked
        etag = (await t.fast.get(f"{API}/env-1")).headers["etag"]
        conditional = await t.fast.get(f"{API}/env-1", headers={"If-None-Match": etag})
        assert conditional.status_code == 304
        versions = await t.fast.get(f"{API}/env-1/versions")
        assert versions.json()[0]["ref"] == "env-1@1"
        assert set(t.app.answers) == {("environments", "env-1")}  # only what was found is kept

    run_in_process(metastore_url, scenario)


def test_prerequisites_take_the_same_path(metastore_url: str) -> None:
    prereqs = Registry.open(metastore_url).prerequisites
    callbacks = [{"event": "containerStart", "commands": ["echo setup first"]}]
    prereqs.create({"name": "data", "type": "script", "callbacks": callbacks})

    async def scenario(t: InProcess) -> None:
        got = await t.fast.get("/api/v1/prerequisites/data@1")
        assert got.json()["ref"] == "data@1"
        assert ("prerequisites", "data@1") in t.app.answers
        same(got, await t.route.get("/api/v1/prerequisites/data@1"))

    run_in_process(metastore_url, scenario)


def test_tokens_are_checked_again_after_every_commit(metastore_url: str) -> None:
    Registry.open(metastore_url).environments.create({"name": "e", "image": "python:3.11"})

    async def scenario(t: InProcess) -> None:
        anonymous = await t.fast.get(f"{API}/e")
        assert anonymous.status_code == 401
        assert "'read' scope" in anonymous.json()["detail"]
        assert not t.app.answers  # refused by the route, nothing looked up
        first = await t.fast.get(f"{API}/e", headers=t.token)
        assert first.json()["ref"] == "e@1"
        assert len(t.app.known_tokens) == 1
        kept = t.app.answers[("environments", "e")]
        assert (await t.fast.get(f"{API}/e", headers=t.token)).content == first.content
        assert t.app.answers[("environments", "e")] is kept
        same(
            await t.fast.get(f"{API}/e", headers=t.token),
            await t.route.get(f"{API}/e", headers=t.token),
        )
        lower = {"Authorization": t.token["Authorization"].replace("Bearer", "bearer  ")}
        same(await t.fast.get(f"{API}/e", headers=lower), first)
        assert (await t.fast.get(f"{API}/e", headers={"Authorization": "Basic eA=="})).is_error
        envyard_cli("token", "revoke", "test-read")  # another process
        revoked = await t.fast.get(f"{API}/e", headers=t.token)
        assert revoked.status_code == 401
        assert revoked.json()["detail"] == "the API token is unknown or revoked"
        assert not t.app.known_tokens

    run_in_process(metastore_url, scenario, need_token=True)


def test_the_fast_path_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENVYARD_DB_URL", f"sqlite:///{tmp_path / 'envyard.db'}")
    try:
        assert isinstance(server_app(), FastReads)
        monkeypatch.setenv("ENVYARD_FAST_READS", "0")
        assert isinstance(server_app(), FastAPI)
    finally:
        gc.unfreeze()  # server_app froze this test process's objects
        close_all()


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[EnvyardServer]:
    db_url = f"sqlite:///{tmp_path / 'envyard.db'}"
    with EnvyardServer.start(db_url, tmp_path, workers=2) as server:
        yield server


def test_every_worker_sees_every_write_on_the_next_get(two_workers: EnvyardServer) -> None:
    server = two_workers
    write = {"Authorization": f"Bearer {server.tokens['write']}"}
    name = unique_name("env")
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        assert http.post(API, json={"name": name, "image": "python:3.11"}, headers=write).is_success
        for step in range(2, 6):
            for _ in range(8):  # several connections: both workers answer and keep answers
                with httpx.Client(base_url=server.url, trust_env=False) as other:
                    assert other.get(f"{API}/{name}").json()["version"] == str(step - 1)
            changed = http.patch(f"{API}/{name}", json={"description": f"v{step}"}, headers=write)
            assert changed.status_code == 201
            for _ in range(8):
                with httpx.Client(base_url=server.url, trust_env=False) as other:
                    got = other.get(f"{API}/{name}")
                    assert got.json()["version"] == str(step)
                    assert got.headers["etag"] == changed.headers["etag"]
        Registry.open(server.db_url).environments.delete(name)  # this process, not the server
        for _ in range(8):
            with httpx.Client(base_url=server.url, trust_env=False) as other:
                assert other.get(f"{API}/{name}").status_code == 404


def test_reads_that_need_a_token_still_need_it(
    envyard_server_factory: ServerFactory, tmp_path: Path
) -> None:
    server = envyard_server_factory(
        f"sqlite:///{tmp_path / 'locked.db'}", ENVYARD_REQUIRE_READ_TOKEN="1"
    )
    Registry.open(server.db_url).environments.create({"name": "e", "image": "python:3.11"})
    read = {"Authorization": f"Bearer {server.tokens['read']}"}
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        assert http.get(f"{API}/e", headers=read).json()["ref"] == "e@1"  # known to the server
        for _ in range(3):
            anonymous = http.get(f"{API}/e")
            assert anonymous.status_code == 401
            assert "'read' scope" in anonymous.json()["detail"]
