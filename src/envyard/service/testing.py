"""A real Envyard server for tests and benchmarks: uvicorn in a child process, on a free port.

::

    with EnvyardServer.start(db_url, tmp_path) as server:
        server.url                   # http://127.0.0.1:PORT
        server.tokens["write"]       # tokens made for it: "read", "write", "admin"

pytest fixtures (import them into a conftest or test module to use them):

- ``envyard_server_factory``: ``start(db_url, **env) -> EnvyardServer``, stopped after the test.
- ``sqlite_server`` (session): a server on a SQLite file of its own.
- ``metastore_url`` (parametrised ``sqlite`` / ``postgres``): an empty, private metastore for
  one test (PostgreSQL: a new database on the ``postgres_server`` fixture's cluster), with
  ``ENVYARD_HOME`` and ``ENVYARD_DB_URL`` pointing at it; engines are disposed afterwards.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import pytest

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import ServerProcess, start_process, wait_for_http

__all__ = [
    "EnvyardServer",
    "ServerFactory",
    "envyard_server_factory",
    "make_tokens",
    "metastore_url",
    "sqlite_server",
]


def make_tokens(db_url: str) -> dict[str, str]:
    """A read, a write and an admin token in the metastore at ``db_url``."""
    from envyard.registry.store import Registry

    tokens = Registry.open(db_url).tokens
    return {scope: tokens.create(f"test-{scope}", scope)[1] for scope in ("read", "write", "admin")}


@dataclass
class EnvyardServer:
    url: str
    db_url: str
    process: ServerProcess
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        db_url: str,
        work_dir: Path,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        timeout: float = 60.0,
    ) -> EnvyardServer:
        """Migrate ``db_url``, make tokens, start uvicorn and wait until it answers."""
        tokens = make_tokens(db_url)
        port = free_port()
        child_env = {
            **os.environ,
            "ENVYARD_HOME": str(work_dir / "home"),
            "ENVYARD_DB_URL": db_url,
            **(env or {}),
        }
        child_env.pop("ENVYARD_URL", None)
        argv = [
            sys.executable, "-m", "uvicorn", "--factory", "envyard.service.app:server_app",
            "--host", LOCALHOST, "--port", str(port), "--workers", str(workers),
            "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
        process = start_process("envyard-serve", argv, work_dir / "server.log", env=child_env)
        server = cls(f"http://{LOCALHOST}:{port}", db_url, process, tokens)
        try:
            wait_for_http(process, f"{server.url}/healthz", timeout=timeout)
        except BaseException:
            process.stop()
            raise
        return server

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> EnvyardServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


ServerFactory = Callable[..., EnvyardServer]


@pytest.fixture
def envyard_server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """``start(db_url, **env) -> EnvyardServer``; every server is stopped after the test."""
    started: list[EnvyardServer] = []

    def start(db_url: str, **env: str) -> EnvyardServer:
        work = tmp_path / f"server-{len(started)}"
        work.mkdir()
        server = EnvyardServer.start(db_url, work, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnvyardServer]:
    """A server shared by the session, on a SQLite file of its own (use unique names)."""
    work = tmp_path_factory.mktemp("envyard-server")
    with EnvyardServer.start(f"sqlite:///{work / 'envyard.db'}", work) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def metastore_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A private metastore for one test, on SQLite and on PostgreSQL."""
    from envyard.registry.db import close_all

    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    monkeypatch.delenv("ENVYARD_TOKEN", raising=False)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'envyard.db'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database(f"t_{secrets.token_hex(6)}")
    monkeypatch.setenv("ENVYARD_DB_URL", url)
    yield url
    close_all()
