"""A near-free "has anything been committed since?" check for the metastore.

``await freshness.stamp()`` returns a value that changes whenever anyone (another server
worker, the CLI, another host on the same database) commits to the metastore. A stamp read
*before* a query, and still the same when read again later, proves that nothing was
committed in between: the query's answer is still exact, and need not be computed again.

- SQLite file: ``PRAGMA data_version``, which changes whenever *another* connection commits
  to the file. Reading it costs a few microseconds and takes no lock. Each thread has its own
  connection that only ever runs this pragma (it never writes, so its own commits cannot
  hide anyone's); stamps carry a number unique to the connection, so values of different
  connections are never compared.
- PostgreSQL: ``pg_current_snapshot()``, on one autocommit connection per event loop. What a
  query sees is a function of its snapshot, and the snapshot changes with every commit of a
  writing transaction (``xmax`` is one past the newest completed transaction id, ``xip``
  lists the ones still running, and it can only move forward). One tiny round trip, made
  from the event loop without a thread hop.
- Anything else (in-memory SQLite, URI filenames): no stamp; callers must query every time.

A stamp that cannot be read is None, and None is never fresh.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol

import psycopg
from sqlalchemy import make_url

from envyard.registry.db import Database

_NUMBERS = itertools.count(1)


class Freshness(Protocol):
    async def stamp(self) -> Hashable | None:
        """The current stamp (None: unknown, so nothing counts as fresh)."""
        ...

    async def aclose(self) -> None:
        """Close what the calling thread / event loop opened."""
        ...


class SQLiteDataVersion:
    """``PRAGMA data_version`` on a connection of the calling thread that runs nothing else."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            self._local.connection = connection
            self._local.number = next(_NUMBERS)
        return connection

    def read(self) -> tuple[int, int] | None:
        """(connection number, data_version), or None when it cannot be read."""
        try:
            row = self._connection().execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            self.close()
            return None
        number: int = self._local.number
        return (number, int(row[0]))

    async def stamp(self) -> Hashable | None:
        return self.read()  # microseconds, no lock: not worth a thread hop

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Close this thread's connection (the next stamp opens a new one)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            connection.close()


class PostgresSnapshot:
    """``pg_current_snapshot()`` on one autocommit connection per event loop."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._connections: dict[asyncio.AbstractEventLoop, psycopg.AsyncConnection] = {}

    async def _connection(self) -> psycopg.AsyncConnection:
        loop = asyncio.get_running_loop()
        connection = self._connections.get(loop)
        if connection is None or connection.closed:
            connection = await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True)
            self._connections[loop] = connection
        return connection

    async def stamp(self) -> Hashable | None:
        try:
            connection = await self._connection()
            cursor = await connection.execute(_snapshot_query(connection.info.server_version))
            row = await cursor.fetchone()
        except psycopg.Error:
            await self._drop()
            return None
        return None if row is None else str(row[0])

    async def aclose(self) -> None:
        await self._drop()

    async def _drop(self) -> None:
        connection = self._connections.pop(asyncio.get_running_loop(), None)
        if connection is not None:
            await connection.close()


def _snapshot_query(server_version: int) -> str:
    """``pg_current_snapshot()`` (PostgreSQL 13+), else its older name (same value)."""
    if server_version >= 130000:  # PostgreSQL 13
        return "SELECT pg_current_snapshot()::text"
    return "SELECT txid_current_snapshot()::text"


def freshness_of(db: Database) -> Freshness | None:
    """The stamp source for ``db``'s metastore, or None (query every time)."""
    url = make_url(db.url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:") or str(url.database).startswith("file:"):
            return None
        return SQLiteDataVersion(Path(str(url.database)).expanduser())
    if backend == "postgresql":
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresSnapshot(libpq)
    return None
