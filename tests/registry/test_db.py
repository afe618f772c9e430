"""The metastore: migrations on first use, schema == models, clear errors for bad URLs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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
