"""Run the Alembic migrations shipped in ``envyard/registry/migrations`` programmatically.

Concurrent first uses (several server workers) are serialised: SQLite by the write transaction
(``BEGIN IMMEDIATE``, after each connection's switch of a new file to WAL, which waits for the
other openers in ``db.py``), PostgreSQL by an advisory lock; the second finds the schema current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

_PG_LOCK_KEY = 0x656E7679  # "envy"


def _config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", _location())
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision: migrations are numbered ``NNNN_slug.py`` with ``revision = "NNNN"``
    (read from the file names, so a current database is checked without importing Alembic)."""
    from pathlib import Path

    numbers = [
        p.name[:4] for p in (Path(_location()) / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    ]
    return max(numbers) if numbers else None


def _location() -> str:
    """The migrations folder (a plain directory of the installed package)."""
    from pathlib import Path

    return str(Path(__file__).with_name("migrations"))


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in ``alembic_version`` (None for a new database)."""
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(found) if found is not None else None


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (no-op when it is current: Alembic is imported
    only when there is something to do)."""
    from sqlalchemy import text

    head = head_revision()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        if current_revision(connection) == head:
            return
        from alembic import command

        command.upgrade(_config(connection), "head")


def new_revision(message: str) -> None:
    """Write a migration for what changed in the models since the newest one (developers).

    Runs the existing migrations on an in-memory SQLite database, compares it with
    :mod:`envyard.registry.models` and writes ``migrations/versions/<rev>_<slug>.py``;
    review it (and its downgrade) before committing. ``python -m envyard.registry.migrate MSG``.
    """
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    engine = create_engine("sqlite://", poolclass=StaticPool)
    with engine.begin() as connection:
        command.upgrade(_config(connection), "head")
        head = head_revision() or "0000"
        rev_id = f"{int(head) + 1:04d}" if head.isdigit() else None
        command.revision(_config(connection), message=message, autogenerate=True, rev_id=rev_id)


if __name__ == "__main__":  # pragma: no cover - a developer tool
    import sys

    new_revision(" ".join(sys.argv[1:]) or "schema change")
