"""Engines and sessions for the metastore, migrated to the newest schema on first use.

``Database.open(url)`` (default: ``load_settings().db_url``) returns one shared object per URL
and process. SQLite files get WAL mode, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE``
for write transactions (so two writers queue instead of failing); PostgreSQL is used as is.
Switching a new SQLite file to WAL is retried while another opener holds its write lock, so
workers and processes opening a brand-new metastore at once all succeed.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from envyard.errors import ConfigError

_WRITE = "envyard_write"
AUTOCOMMIT_READ = "envyard_single_select"
_LOCK = threading.Lock()
_OPEN: dict[str, Database] = {}
_BUSY_TIMEOUT_S = 30


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _journal_mode_wal(cursor: sqlite3.Cursor) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the write lock.

    On a file not yet in WAL mode (a brand-new metastore) the switch reads the header and then
    upgrades its read to a write; SQLite answers that upgrade with SQLITE_BUSY at once when
    another connection holds the write lock, without calling the busy handler (waiting there
    could deadlock), so concurrent first opens failed with "database is locked". Once the file
    is in WAL mode the pragma only reads, so the normal open path runs it once, as before.
    """
    deadline = 0.0
    pause = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            now = time.monotonic()
            deadline = deadline or now + _BUSY_TIMEOUT_S
            if now >= deadline:
                raise
        time.sleep(pause)  # another opener is switching the file; once WAL, the pragma only reads
        pause = min(pause * 2, 0.05)


def _metastore_folder(folder: Path, url: str) -> None:
    """Create the SQLite metastore's folder when it is Envyard's home (the default metastore);
    another missing folder is most likely a typo in ENVYARD_DB_URL: an error, not new folders."""
    if folder.is_dir():
        return
    from envyard.settings import load_settings

    if folder != load_settings().home:
        raise ConfigError(
            f"the folder of the SQLite metastore {url} does not exist: {folder}",
            hint="check ENVYARD_DB_URL (sqlite:////absolute/path/envyard.db), or create the folder",
        )
    folder.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    database = parsed.database
    memory = database in (None, "", ":memory:")
    if not memory:
        _metastore_folder(Path(str(database)).expanduser().parent, url)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S},
        # a connection per server thread (the threadpool has 40): waiting for one adds latency
        **({"poolclass": StaticPool} if memory else {"pool_size": 20, "max_overflow": 40}),
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        if not memory:
            _journal_mode_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT_READ):
            return  # one SELECT: SQLite's own statement-level snapshot is enough
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITE) else "BEGIN")

    return engine


DEFAULT_POOL_SIZE = 10


def pool_size(env: Any) -> int:
    """``ENVYARD_DB_POOL_SIZE``: PostgreSQL connections a process keeps open (default 10).

    A process opens up to twice as many more under bursts. Every worker of every replica has
    its own pool, so workers x replicas x 3 x size must stay under the server's
    ``max_connections`` (100 by default).
    """
    raw = str(env.get("ENVYARD_DB_POOL_SIZE") or "").strip()
    if not raw:
        return DEFAULT_POOL_SIZE
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(
            f"ENVYARD_DB_POOL_SIZE must be a whole number of connections (1 or more), not '{raw}'",
            hint="unset it for the default (10), or see docs/scale.md for sizing",
        )
    return int(raw)


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except Exception as exc:  # sqlalchemy raises ArgumentError for malformed URLs
        raise ConfigError(
            f"ENVYARD_DB_URL is not a database URL: {exc}",
            hint="e.g. sqlite:////path/envyard.db or postgresql+psycopg://user@host/db",
        ) from None
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend in ("postgresql", "postgres"):
        # No pre-ping (it doubles the round trips of a read): after a server restart the first
        # failing statement invalidates the whole pool, and the hot read path retries once.
        if parsed.drivername in ("postgresql", "postgres"):  # plain URLs: psycopg 3, installed
            parsed = parsed.set(drivername="postgresql+psycopg")
        size = pool_size(os.environ)
        return create_engine(parsed, pool_size=size, max_overflow=2 * size, pool_recycle=1800)
    raise ConfigError(
        f"unsupported metastore '{backend}' in {display_url(url)}",
        hint="use sqlite:///PATH or postgresql+psycopg://...",
    )


class Database:
    """One metastore: ``read()`` and ``write()`` give a session in a transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self.key = self.url
        self._reader = sessionmaker(engine, expire_on_commit=False)
        single: dict[str, Any] = {AUTOCOMMIT_READ: True}
        if engine.dialect.name == "postgresql":
            single["isolation_level"] = "AUTOCOMMIT"  # no BEGIN/ROLLBACK round trips
        self.single_select = engine.execution_options(**single)
        """For one SELECT outside a transaction (no BEGIN round trip on SQLite)."""
        self._writer = sessionmaker(
            engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str | None = None) -> Database:
        """The shared, migrated database for ``url`` (default: the settings' ``db_url``)."""
        if url is None:
            from envyard.settings import load_settings

            url = load_settings().db_url
        with _LOCK:
            found = _OPEN.get(url)
            if found is None:
                try:
                    found = cls(_engine(url))
                except OSError as exc:  # its folder cannot be made (a file is in the way)
                    raise ConfigError(
                        f"cannot open the metastore at {display_url(url)}: {exc}",
                        hint="ENVYARD_HOME (or the ENVYARD_DB_URL path) must name a folder",
                    ) from None
                found.key = url
                try:
                    found.migrate()
                except DatabaseError as exc:  # OperationalError, or not an SQLite file at all
                    found.engine.dispose()
                    raise ConfigError(
                        f"cannot open the metastore at {display_url(url)}: {exc.orig}",
                        hint="check ENVYARD_DB_URL (an SQLite file Envyard made, or a PostgreSQL "
                        "database) and that the database server is running",
                    ) from None
                _OPEN[url] = found
            return found

    def migrate(self) -> None:
        from envyard.registry.migrate import upgrade

        upgrade(self.engine.execution_options(**{_WRITE: True}))

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._writer() as session, session.begin():
            yield session

    def dispose(self) -> None:
        with _LOCK:
            _OPEN.pop(self.key, None)
        self.engine.dispose()


def close_all() -> None:
    """Dispose every open engine (tests, and processes that fork)."""
    with _LOCK:
        opened = list(_OPEN.values())
        _OPEN.clear()
    for database in opened:
        database.engine.dispose()
