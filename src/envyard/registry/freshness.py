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
  from the event loop without a thread hop, and shared by the requests that wait for it.
- Anything else (in-memory SQLite, URI filenames): no stamp; callers must query every time.

A stamp that cannot be read is None, and None is never fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import threading
from collections.abc import Hashable
from dataclasses import dataclass
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


@dataclass
class _LoopState:
    """One event loop's connection, and the reading its next callers wait for."""

    connection: psycopg.AsyncConnection | None = None
    waiting: asyncio.Future[Hashable | None] | None = None
    driver: asyncio.Task[None] | None = None


class PostgresSnapshot:
    """``pg_current_snapshot()`` on one autocommit connection per event loop.

    Concurrent callers share readings: a caller waits for the next reading that *starts*
    after it called (never one already under way, which might predate a commit it must
    see), and every caller that arrived meanwhile gets that same reading. Under load this
    turns one round trip per request into one per batch.
    """

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._loops: dict[asyncio.AbstractEventLoop, _LoopState] = {}

    async def stamp(self) -> Hashable | None:
        loop = asyncio.get_running_loop()
        state = self._loops.setdefault(loop, _LoopState())
        if state.waiting is None:
            state.waiting = loop.create_future()
        waiting = state.waiting
        if state.driver is None or state.driver.done():
            state.driver = loop.create_task(self._drive(state))
        return await asyncio.shield(waiting)

    async def _drive(self, state: _LoopState) -> None:
        """Take the waiting callers, read once for all of them, repeat while any wait."""
        while state.waiting is not None:
            waiting, state.waiting = state.waiting, None  # later callers wait for the next
            value: Hashable | None = None
            try:
                value = await self._read(state)
            finally:  # never leave a caller waiting, whatever happened
                if not waiting.done():
                    waiting.set_result(value)

    async def _read(self, state: _LoopState) -> Hashable | None:
        try:
            if state.connection is None or state.connection.closed:
                state.connection = await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, connect_timeout=10
                )
            connection = state.connection
            cursor = await connection.execute(_snapshot_query(connection.info.server_version))
            row = await cursor.fetchone()
        except Exception:  # unreadable (server gone, ...): None, and reconnect next time
            with contextlib.suppress(Exception):
                await self._close(state)
            return None
        return None if row is None else str(row[0])

    async def aclose(self) -> None:
        state = self._loops.pop(asyncio.get_running_loop(), None)
        if state is not None:
            if state.driver is not None:
                await asyncio.wait([state.driver])
            await self._close(state)

    @staticmethod
    async def _close(state: _LoopState) -> None:
        connection, state.connection = state.connection, None
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
