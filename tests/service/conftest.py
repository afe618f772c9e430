"""REST tests: a real uvicorn server per metastore (``envyard_server_factory``). Kernels are
locked against a real local index (``locking_index``), in-process and in every server alike:
``sqlite_server`` is the session's ``locking_sqlite_server``, so no test needs PyPI."""

import pytest

from envyard.service.testing import EnvyardServer, envyard_server_factory, metastore_url
from envyard.testing.lock_index import locking_index, locking_sqlite_server

__all__ = [
    "envyard_server_factory",
    "locking_index",
    "locking_sqlite_server",
    "metastore_url",
    "sqlite_server",
]


@pytest.fixture(autouse=True)
def _kernels_lock_against_a_local_index(locking_index: object) -> None:
    """Environments created in-process or by a server a test starts lock against pypiserver."""


@pytest.fixture(scope="session")
def sqlite_server(locking_sqlite_server: EnvyardServer) -> EnvyardServer:
    """The session's server (SQLite), locking against the session's pypiserver."""
    return locking_sqlite_server
