"""The metastore: migrations on first use, schema == models, clear errors for bad URLs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, text

from envyard.errors import ConfigError
from envyard.registry.db import Database, _engine, display_url
from envyard.registry.migrate import current_revision, head_revision
from envyard.registry.models import Base

TABLES = {"registry_items", "registry_versions", "registry_tags", "api_tokens", "runs"}


def test_first_use_migrates_to_head(metastore_url: str) -> None:
    db = Database.open(metastore_url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:
        assert current_revision(connection) == head_revision() == "0002"
    assert Database.open(metastore_url) is db  # one per URL and process


def test_migrations_match_the_models(metastore_url: str) -> None:
    db = Database.open(metastore_url)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_the_shared_postgres_database_migrates(postgres_url: str) -> None:
    db = Database.open(postgres_url)
    try:
        assert set(inspect(db.engine).get_table_names()) >= TABLES
    finally:
        db.dispose()


def test_concurrent_first_opens_migrate_once(metastore_url: str) -> None:
    """Server workers opening a brand-new metastore at once: one migrates, the others wait."""
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    databases: list[Database] = []

    def first_open() -> None:
        database = Database(_engine(metastore_url))  # its own engine, as in another process
        databases.append(database)
        barrier.wait()
        try:
            database.migrate()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_open) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for database in databases:
        database.engine.dispose()
    assert errors == []
    db = Database.open(metastore_url)
    with db.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        count = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    assert count == 1


def _writer_of_a_new_file(path: Path) -> sqlite3.Connection:
    """Another opener mid-way through a brand-new metastore: it holds the write lock of the file,
    still in rollback mode (as when it switches the file to WAL or migrates it first)."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def _assert_migrated_once(path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]


# Switching a new file to WAL reads its header, then upgrades to a write: SQLite refuses that
# upgrade at once with SQLITE_BUSY ("database is locked") while another connection holds the
# write lock, without waiting for the busy timeout. The openers below reach that switch while
# the lock is held; each must wait for it instead of failing.


def test_first_opens_in_threads_wait_for_the_opener_that_holds_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "envyard.db"
    holder = _writer_of_a_new_file(path)
    connecting = threading.Semaphore(0)
    errors: list[BaseException] = []
    databases: list[Database] = []
    for _ in range(4):
        engine = _engine(f"sqlite:///{path}")  # one engine each, as in another process
        event.listen(engine, "connect", lambda *_: connecting.release(), insert=True)
        databases.append(Database(engine))

    def first_open(database: Database) -> None:
        try:
            database.migrate()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_open, args=(db,)) for db in databases]
    for thread in threads:
        thread.start()
    try:
        for _ in threads:
            assert connecting.acquire(timeout=60)
        time.sleep(0.2)  # all are at their first connection's PRAGMA journal_mode=WAL
    finally:
        holder.execute("COMMIT")
        holder.close()
    for thread in threads:
        thread.join()
    for database in databases:
        database.engine.dispose()
    assert errors == []
    _assert_migrated_once(path)


FIRST_OPEN = """
import sys
from sqlalchemy import event
from envyard.registry.db import Database, _engine

engine = _engine("sqlite:///" + sys.argv[1])
event.listen(engine, "connect", lambda *_: print("connecting", flush=True), insert=True)
Database(engine).migrate()
print("migrated", flush=True)
"""


def test_first_opens_in_processes_wait_for_the_opener_that_holds_a_new_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "envyard.db"
    holder = _writer_of_a_new_file(path)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", FIRST_OPEN, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline() == "connecting\n"
        time.sleep(0.2)  # all are at their first connection's PRAGMA journal_mode=WAL
    finally:
        holder.execute("COMMIT")
        holder.close()
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [(w.returncode, out, err) for w, (out, err) in zip(workers, results, strict=True)] == [
        (0, "migrated\n", "")
    ] * len(workers)
    _assert_migrated_once(path)


def test_unsupported_or_unreachable_urls_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unsupported metastore 'mysql'"):
        Database.open("mysql://u@h/db")
    with pytest.raises(ConfigError, match="not a database URL"):
        Database.open("not a url")
    with pytest.raises(ConfigError, match="cannot open the metastore"):
        Database.open("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_plain_postgresql_urls_use_psycopg(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    db = Database.open(plain)
    try:
        assert db.engine.url.drivername == "postgresql+psycopg"
        assert "registry_items" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def test_display_url_hides_the_password() -> None:
    assert display_url("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"


def test_default_url_comes_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    db = Database.open()
    try:
        assert (tmp_path / "envyard.db").exists()
    finally:
        db.dispose()


def test_postgres_pool_size_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://envyard@127.0.0.1:1/never_connected"  # engines connect lazily
    monkeypatch.delenv("ENVYARD_DB_POOL_SIZE", raising=False)
    engine = _engine(url)
    assert (engine.pool.size(), engine.pool._max_overflow) == (10, 20)  # type: ignore[attr-defined]
    monkeypatch.setenv("ENVYARD_DB_POOL_SIZE", "3")
    engine = _engine(url)
    assert (engine.pool.size(), engine.pool._max_overflow) == (3, 6)  # type: ignore[attr-defined]
    for bad in ("many", "0", "-2"):
        monkeypatch.setenv("ENVYARD_DB_POOL_SIZE", bad)
        with pytest.raises(ConfigError, match=f"ENVYARD_DB_POOL_SIZE .* not '{bad}'"):
            _engine(url)
