"""Run the Alembic migrations shipped in ``envyard/registry/migrations`` programmatically.

Concurrent first uses (several server workers) are serialised: SQLite by the write transaction
(``BEGIN IMMEDIATE``), PostgreSQL by an advisory lock; the second one finds the schema current.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, text

_PG_LOCK_KEY = 0x656E7679  # "envy"


def _config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _location())
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(_location())
    head: str | None = script.get_current_head()
    return head


def _location() -> str:
    from importlib.resources import files

    return str(files("envyard.registry") / "migrations")


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    revision: str | None = MigrationContext.configure(connection).get_current_revision()
    return revision


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is current)."""
    from alembic import command

    head = head_revision()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if current_revision(connection) == head:
            return
        command.upgrade(_config(connection), "head")
