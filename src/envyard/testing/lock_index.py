"""Locking against a real index in tests: ``locking_index`` puts the packages the suite's
example kernels name (``six`` 1.16.0 and 1.17.0, ``pip`` 24.0: tiny stand-ins) on the session's
pypiserver and points uv at it alone (no PyPI, no machine config), so creating an environment
locks its kernel for real, offline. Use it as an autouse fixture in a folder's ``conftest.py``::

    from envyard.testing.lock_index import locking_index

    pytestmark = pytest.mark.usefixtures("locking_index")   # or autouse in conftest

A server started for a whole session (before any test's fixture runs) gets the same variables
from :func:`locking_env` in its environment: ``locking_sqlite_server`` is such a server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from envyard.testing.pypi import PypiIndex
from envyard.testing.wheels import wheel_filename

if TYPE_CHECKING:
    from envyard.service.testing import EnvyardServer

__all__ = ["STAND_INS", "locking_env", "locking_index", "locking_sqlite_server"]

STAND_INS = (("six", "1.16.0"), ("six", "1.17.0"), ("pip", "24.0"))


def locking_env(pypi_index: PypiIndex) -> dict[str, str]:
    """Put :data:`STAND_INS` on ``pypi_index``; the ``PIP_``/``UV_`` variables that point pip
    and uv at it alone (for a child process such as a server, and for :func:`locking_index`)."""
    for name, version in STAND_INS:
        if not (pypi_index.packages_dir / wheel_filename(name, version)).exists():
            pypi_index.add_wheel(name, version)
    isolated = pypi_index.isolated_env()
    return {k: v for k, v in isolated.items() if k.startswith(("PIP_", "UV_"))}


@pytest.fixture
def locking_index(pypi_index: PypiIndex, monkeypatch: pytest.MonkeyPatch) -> Iterator[PypiIndex]:
    """The session pypiserver with :data:`STAND_INS`, and this process's uv pointed at it."""
    variables = locking_env(pypi_index)
    for key in [k for k in os.environ if k.startswith(("PIP_", "UV_"))]:
        monkeypatch.delenv(key)
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    yield pypi_index


@pytest.fixture(scope="session")
def locking_sqlite_server(
    tmp_path_factory: pytest.TempPathFactory, pypi_index: PypiIndex
) -> Iterator[EnvyardServer]:
    """A server shared by the session (SQLite) whose kernels lock against ``pypi_index``."""
    from envyard.service.testing import EnvyardServer

    work = tmp_path_factory.mktemp("envyard-server")
    with pytest.MonkeyPatch.context() as patch:  # the server copies os.environ when it starts
        for key in [k for k in os.environ if k.startswith(("PIP_", "UV_"))]:
            patch.delenv(key)  # a UV_DEFAULT_INDEX, say, would win over the local index
        server = EnvyardServer.start(
            f"sqlite:///{work / 'envyard.db'}", work, env=locking_env(pypi_index)
        )
    with server:
        yield server
