"""The SDK: the same cycle and errors in-process and over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import envyard
from envyard.client import Client, EnvironmentRecord, Page, PreconditionFailedError
from envyard.errors import AuthError, ConfigError, ConflictError, NotFoundError, SpecError
from envyard.service.testing import EnvyardServer, ServerFactory, envyard_server_factory
from envyard.spec.environment import Environment

__all__ = ["envyard_server_factory"]

SPEC = {
    "name": "team",
    "description": "team default",
    "docker-image": "python:3.11-slim",
    "kernel": {
        "name": "k",
        "channels": ["defaults"],
        "dependencies": ["python=3.11", {"pip": ["six"]}],
    },
    "tags": {"GPU": "", "Python": "3.11"},
}


@pytest.fixture
def server(metastore_url: str, envyard_server_factory: ServerFactory) -> EnvyardServer:
    return envyard_server_factory(metastore_url)


@pytest.fixture(params=["in-process", "http"])
def client(request: pytest.FixtureRequest, metastore_url: str) -> Iterator[Client]:
    if request.param == "in-process":
        sdk = Client()
    else:
        server: EnvyardServer = request.getfixturevalue("server")
        sdk = Client(server.url, token=server.tokens["write"])
    with sdk:
        yield sdk


def test_full_cycle(client: Client) -> None:
    envs = client.environments
    created = envs.create(SPEC)
    assert isinstance(created, EnvironmentRecord)
    assert (created.ref, created.image, created.state) == ("team@1", "python:3.11-slim", "active")
    assert isinstance(created.spec(), Environment)
    assert envs.get("team") == created
    assert created.created_by is not None

    page = envs.list(tag="GPU")
    assert isinstance(page, Page)
    assert [r.ref for r in page] == ["team@1"]
    assert envs.list(tag="Python=3.10").total == 0
    assert envs.list(prefix="te", state="active").total == 1

    updated = envs.update("team", {"description": "v2"}, if_match=created.etag)
    assert updated.ref == "team@2"
    replaced = envs.update(
        "team", created.spec().model_copy(update={"version": None, "image": "python:3.12"})
    )
    assert replaced.ref == "team@3"
    assert replaced.content_hash != created.content_hash
    assert [r.version for r in envs.versions("team")] == ["3", "2", "1"]
    with pytest.raises(PreconditionFailedError):
        envs.update("team", {"description": "stale"}, if_match=created.etag)

    envs.create({"name": "team-next", "image": "python:3.12"})
    deprecated = envs.deprecate("team", replaced_by="team-next", delete_on="2031-01-01")
    assert (deprecated.state, deprecated.replaced_by) == ("deprecated", "team-next")
    assert envs.resolve("team").ref == "team@3"
    assert envs.list(state="deprecated").total == 1

    archived = envs.archive("team")
    assert archived.state == "archived"
    assert [r.name for r in envs.list()] == ["team-next"]
    assert envs.get("team@2").state == "archived"
    with pytest.raises(NotFoundError):
        envs.get("team")
    with pytest.raises(ConflictError):
        envs.update("team", {"description": "x"})

    envs.delete("team")
    with pytest.raises(NotFoundError):
        envs.get("team@1")
    assert [r.name for r in envs.list()] == ["team-next"]


def test_errors_are_the_same_in_both_modes(client: Client) -> None:
    with pytest.raises(SpecError) as caught:
        client.environments.create({"name": "x", "image": "python:3.11", "kernel": 5})
    assert caught.value.diagnostics[0].field == "kernel"
    with pytest.raises(NotFoundError, match="environment 'ghost' not found"):
        client.environments.get("ghost")
    client.environments.create({"name": "x", "image": "python:3.11", "version": "1.0"})
    with pytest.raises(ConflictError, match="already exists"):
        client.environments.create({"name": "x", "image": "python:3.11"})
    with pytest.raises(ConflictError, match="immutable"):
        client.environments.update("x", {"image": "python:3.12", "version": "1.0"})
    assert [r.version for r in client.environments.versions("x")] == ["1.0"]


def test_prerequisites_and_runs(client: Client) -> None:
    record = client.prerequisites.create(
        {"name": "data", "type": "data", "uri": ["s3://x"], "cache": True}
    )
    assert client.prerequisites.get("data@1").spec().parameters == {"cache": True}
    assert client.prerequisites.list().items == [record]
    if client.remote:
        with pytest.raises(ConfigError, match="run records"):
            client.runs.create("job", {}, None, "local")
        return
    run = client.runs.create("job", {"secrets": {"k": "v"}}, "local", "local")
    assert run.spec == {"secrets": {"k": "***"}}
    assert client.runs.update(run.id, state="succeeded", exit_code=0).state == "succeeded"
    assert client.runs.get(run.id).exit_code == 0
    assert [r.id for r in client.runs.list(state="succeeded")] == [run.id]


def test_http_auth_errors(metastore_url: str, server: EnvyardServer) -> None:
    with Client(server.url, token="") as anonymous:
        assert anonymous.environments.list().total == 0  # reads are anonymous
        with pytest.raises(AuthError) as caught:
            anonymous.environments.create(SPEC)
        assert caught.value.status == 401
    with Client(server.url, token=server.tokens["read"]) as reader:
        with pytest.raises(AuthError) as caught:
            reader.environments.create(SPEC)
        assert caught.value.status == 403
        with pytest.raises(AuthError):
            reader.tokens.list()
    with Client(server.url, token=server.tokens["admin"]) as admin:
        record, token = admin.tokens.create("robot", "write")
        assert token.startswith("eyd_")
        assert record.id in [t.id for t in admin.tokens.list()]
    with Client(server.url, token=token) as robot:
        assert robot.environments.create(SPEC).created_by == "token:robot"
    assert Client().environments.get("team").ref == "team@1"  # same metastore, in-process


def test_unreachable_server_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path))
    with (
        Client("http://127.0.0.1:9", token="t") as sdk,
        pytest.raises(ConfigError, match="cannot reach"),
    ):
        sdk.environments.list()


def test_concurrent_http_writers_lose_no_update(metastore_url: str, server: EnvyardServer) -> None:
    with Client(server.url, token=server.tokens["write"]) as sdk:
        first = sdk.environments.create({"name": "busy", "image": "python:3.11"})
    outcomes: list[str] = []

    def writer(n: int) -> None:
        with Client(server.url, token=server.tokens["write"]) as mine:
            try:
                mine.environments.update("busy", {"description": f"w{n}"}, if_match=first.etag)
                outcomes.append("ok")
            except PreconditionFailedError:
                outcomes.append("412")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["412"] * 5 + ["ok"]
    with Client(server.url) as sdk:
        assert len(sdk.environments.versions("busy")) == 2


def test_import_envyard_stays_light() -> None:
    heavy = "('sqlalchemy', 'fastapi', 'httpx')"
    code = f"import sys, envyard; print(any(m in sys.modules for m in {heavy}))"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert envyard.Client is Client
