"""The metastore: migrations on first use, schema == models, clear errors for bad URLs."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from envyard.errors import ConfigError
from envyard.registry.db import Database, close_all, display_url
from envyard.registry.migrate import current_revision, head_revision
from envyard.registry.models import Base

TABLES = {"registry_items", "registry_versions", "registry_tags", "api_tokens", "runs"}


def test_first_use_migrates_to_head(metastore_url: str) -> None:
    db = Database.open(metastore_url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:
        assert current_revision(connection) == head_revision() == "0001"
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


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / 'shared.db'}"]
    errors: list[BaseException] = []

    def open_raw() -> None:
        # separate engines (as separate server workers would have) racing on one file
        from envyard.registry.migrate import upgrade

        engine = create_engine(urls[0])
        try:
            upgrade(engine)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    Database.open(urls[0]).dispose()  # WAL mode and pragmas come with the first open
    threads = [threading.Thread(target=open_raw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    close_all()


def test_unsupported_or_unreachable_urls_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unsupported metastore 'mysql'"):
        Database.open("mysql://u@h/db")
    with pytest.raises(ConfigError, match="not a database URL"):
        Database.open("not a url")
    with pytest.raises(ConfigError, match="cannot open the metastore"):
        Database.open("postgresql+psycopg://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


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
