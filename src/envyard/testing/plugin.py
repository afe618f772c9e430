"""pytest fixtures that start real servers: load with ``pytest_plugins``.

In a ``conftest.py``::

    pytest_plugins = ["envyard.testing.plugin"]

========================== ======== ==========================================================
fixture                    scope    gives
========================== ======== ==========================================================
``oci_registry``           session  :class:`OciRegistry`, anonymous
``oci_registry_basic_auth`` session :class:`OciRegistry`, htpasswd (``.username/.password``)
``oci_registry_token_auth`` module :class:`OciRegistry`, bearer tokens (``.token_issuer``)
``pypi_index``             session  :class:`PypiIndex` shared by the session's tests
``fresh_pypi_index``       function :class:`PypiIndex` of the test's own
``postgres_server``        session  :class:`PostgresServer`
``postgres_url``           session  ``postgresql+psycopg://postgres@127.0.0.1:P/envyard_test``
``git_repo_factory``       function ``make(name="repo", *, bare=False) -> GitRepo`` (initialised)
``git_repo``               function an initialised :class:`GitRepo` on branch ``main``
``browser``                module   Playwright ``Browser`` on Debian's headless Chromium
``page``                   function a fresh page of ``browser`` (own cookies), 1360x900
``ray_head``               session  :class:`~envyard.testing.ray.RayHead`, a real local Ray
                                    head (load ``envyard.testing.ray`` too)
========================== ======== ==========================================================

Session-scoped servers are shared: give each test its own repository or package names (e.g.
with :func:`unique_name`). Each pytest-xdist worker starts its own servers on free ports.
A missing system binary fails the test (it is never skipped) with the Debian package to
install and ``scripts/install-test-deps.sh``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from envyard.testing.browser import browser, page
from envyard.testing.git import GitRepo
from envyard.testing.postgres import PostgresServer
from envyard.testing.process import MissingSystemDependencyError
from envyard.testing.pypi import PypiIndex
from envyard.testing.registry import AuthMode, OciRegistry

__all__ = [
    "browser",
    "fresh_pypi_index",
    "git_repo",
    "git_repo_factory",
    "oci_registry",
    "oci_registry_basic_auth",
    "oci_registry_token_auth",
    "page",
    "postgres_server",
    "postgres_url",
    "pypi_index",
    "unique_name",
]

GitRepoFactory = Callable[..., GitRepo]
_T = TypeVar("_T")


def unique_name(prefix: str = "t") -> str:
    """``prefix-<8 hex>``: a repository or package name no other test uses."""
    return f"{prefix}-{secrets.token_hex(4)}"


def _start(start: Callable[[], _T]) -> _T:
    """Call *start*; a missing system binary fails the test with the install hint."""
    try:
        return start()
    except MissingSystemDependencyError as exc:
        pytest.fail(str(exc), pytrace=False)


def _registry(tmp_path_factory: pytest.TempPathFactory, auth: AuthMode) -> Iterator[OciRegistry]:
    work_dir = tmp_path_factory.mktemp(f"oci-registry-{auth}")
    with _start(lambda: OciRegistry.start(work_dir, auth=auth)) as registry:
        yield registry


@pytest.fixture(scope="session")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciRegistry]:
    """An anonymous registry: ``.url``, ``.host``, ``.push_image(...)``, ``.client``."""
    yield from _registry(tmp_path_factory, "anonymous")


@pytest.fixture(scope="session")
def oci_registry_basic_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciRegistry]:
    """A registry behind htpasswd basic auth; ``.client`` logs in as ``.username``."""
    yield from _registry(tmp_path_factory, "basic")


@pytest.fixture(scope="module")
def oci_registry_token_auth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OciRegistry]:
    """A registry behind bearer-token auth served by ``.token_issuer``.

    Module-scoped: the issuer is a server thread in the test process, and code that forks
    (large override stagings, asset validation) stays single-process beside other threads.
    """
    yield from _registry(tmp_path_factory, "token")


@pytest.fixture(scope="session")
def pypi_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiIndex]:
    """A pypiserver shared by the session: ``.url`` (``/simple/``), ``.add_wheel(...)``."""
    with PypiIndex.start(tmp_path_factory.mktemp("pypi-index")) as index:
        yield index


@pytest.fixture
def fresh_pypi_index(tmp_path: Path) -> Iterator[PypiIndex]:
    """A pypiserver that only this test's wheels are on."""
    with PypiIndex.start(tmp_path / "pypi-index") as index:
        yield index


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """An ephemeral PostgreSQL cluster on 127.0.0.1 (removed at the end of the session)."""
    with _start(PostgresServer.start) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of a fresh database ``envyard_test``, for SQLAlchemy (psycopg 3 driver)."""
    return postgres_server.create_database("envyard_test")


@pytest.fixture
def git_repo_factory(tmp_path: Path) -> GitRepoFactory:
    """``make(name="repo", *, bare=False, branch="main")``: a new initialised repository."""

    def make(name: str = "repo", *, bare: bool = False, branch: str = "main") -> GitRepo:
        return _start(lambda: GitRepo(tmp_path / name).init(branch=branch, bare=bare))

    return make


@pytest.fixture
def git_repo(git_repo_factory: GitRepoFactory) -> GitRepo:
    """An initialised, empty repository on branch ``main``."""
    return git_repo_factory()
