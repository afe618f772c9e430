"""An ephemeral PostgreSQL cluster on 127.0.0.1, made with the Debian ``postgresql`` binaries.

``initdb`` refuses to run as root, so when the tests run as root the cluster is created and run
as the ``postgres`` account in a fresh directory under the system temp dir (pytest's own tmp
dirs are private to root). The server trusts TCP connections from 127.0.0.1 only, keeps its
unix socket in its own directory, and is stopped with ``pg_ctl stop -m immediate``::

    with PostgresServer.start() as pg:
        url = pg.create_database("envyard_test")
        # postgresql+psycopg://postgres@127.0.0.1:PORT/envyard_test
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import (
    MissingSystemDependencyError,
    ServerProcess,
    ServerStartError,
    start_process,
    wait_for_port,
)

__all__ = ["PostgresServer", "find_postgres_bin"]

_PG_ROOT = Path("/usr/lib/postgresql")
_SUPERUSER = "postgres"


def find_postgres_bin(root: Path = _PG_ROOT) -> Path:
    """Return the ``bin`` directory of the newest PostgreSQL under ``/usr/lib/postgresql``."""
    candidates = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p.parent.name)] or [0],
    )
    if not candidates:
        msg = (
            f"no PostgreSQL server binaries (initdb) under {root}: install the Debian package "
            "'postgresql' (`apt-get install postgresql`), or run "
            "`bash scripts/install-test-deps.sh`"
        )
        raise MissingSystemDependencyError(msg)
    return candidates[-1]


def _run_as() -> str | None:
    """The account to run the cluster as: ``postgres`` when we are root, else ourselves."""
    return _SUPERUSER if os.geteuid() == 0 else None


class PostgresServer:
    """A running PostgreSQL cluster; create with :meth:`start`, stop with :meth:`stop`."""

    def __init__(
        self,
        server: ServerProcess,
        bin_dir: Path,
        base_dir: Path,
        port: int,
        user: str | None,
        *,
        remove_base_dir: bool = False,
    ) -> None:
        self._server = server
        self._remove_base_dir = remove_base_dir
        self._bin = bin_dir
        self.base_dir = base_dir
        self.port = port
        self._user = user

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self._server.log_path

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """SQLAlchemy-style URL of *database*: ``postgresql+psycopg://postgres@127.0.0.1:P/db``.

        Pass ``driver="postgresql"`` for a libpq URL usable by ``psycopg.connect``.
        """
        return f"{driver}://{_SUPERUSER}@{LOCALHOST}:{self.port}/{database}"

    @classmethod
    def start(cls, base_dir: Path | None = None, *, timeout: float = 60.0) -> PostgresServer:
        """initdb a cluster in *base_dir* and start it on a free port.

        Without *base_dir*, a new temp dir is made and removed again by :meth:`stop`.
        """
        bin_dir = find_postgres_bin()
        user = _run_as()
        owns_dir = base_dir is None
        if base_dir is None:
            base_dir = Path(tempfile.mkdtemp(prefix="envyard-pg-"))
        base_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:
            account = pwd.getpwnam(user)
            os.chown(base_dir, account.pw_uid, account.pw_gid)
        data_dir, socket_dir = base_dir / "data", base_dir / "sock"
        log_path = base_dir / "postgres.log"
        cls._run(
            [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", _SUPERUSER, "--auth=trust",
             "--encoding=UTF8", "--no-locale", "--no-sync"],
            user, log_path,
        )  # fmt: skip
        socket_dir.mkdir()
        if user is not None:
            shutil.chown(socket_dir, user, user)
        port = free_port()
        argv = [
            str(bin_dir / "postgres"), "-D", str(data_dir), "-p", str(port),
            "-c", f"listen_addresses={LOCALHOST}", "-k", str(socket_dir),
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]  # fmt: skip
        server = start_process("postgres", argv, log_path, cwd=base_dir, user=user)
        pg = cls(server, bin_dir, base_dir, port, user, remove_base_dir=owns_dir)
        try:
            wait_for_port(server, LOCALHOST, port, timeout=timeout)
            pg._wait_accepting(timeout)
        except BaseException:
            pg.stop()
            raise
        return pg

    @staticmethod
    def _run(argv: list[str], user: str | None, log_path: Path) -> None:
        with log_path.open("ab") as log:
            result = subprocess.run(
                argv, stdout=log, stderr=subprocess.STDOUT, user=user, cwd=log_path.parent,
                check=False,
            )  # fmt: skip
        if result.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            msg = f"{argv[0]} failed with code {result.returncode}\n--- {log_path} ---\n{tail}"
            raise ServerStartError(msg)

    def _wait_accepting(self, timeout: float) -> None:
        """Poll ``pg_isready`` until the server accepts connections (not just TCP)."""
        deadline = time.monotonic() + timeout
        while True:
            self._server.check_alive()
            ready = subprocess.run(
                [str(self._bin / "pg_isready"), "-q", "-h", LOCALHOST, "-p", str(self.port)],
                check=False,
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise self._server.failure(f"did not accept connections within {timeout:.0f}s")
            time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """Create database *name* (letters, digits, underscores) and return its URL."""
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            msg = f"database name {name!r} must match [A-Za-z_][A-Za-z0-9_]*"
            raise ValueError(msg)
        self._run(
            [str(self._bin / "createdb"), "-h", LOCALHOST, "-p", str(self.port),
             "-U", _SUPERUSER, name],
            None, self.base_dir / "createdb.log",
        )  # fmt: skip
        return self.url(name)

    def stop(self) -> None:
        """``pg_ctl stop -m immediate``, then make sure the process is gone."""
        if self._server.alive():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(
                    [str(self._bin / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m",
                     "immediate", "-w", "-t", "20"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, user=self._user,
                    cwd=self.base_dir, timeout=30, check=False,
                )  # fmt: skip
        self._server.stop()
        if self._remove_base_dir:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
