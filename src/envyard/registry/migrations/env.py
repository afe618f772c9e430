"""Alembic environment: runs on the connection handed over by :mod:`envyard.registry.migrate`.

To write a new migration after changing :mod:`envyard.registry.models`::

    python -m alembic -c /dev/null ... (see docs/registry.md, "Schema changes")
"""

from __future__ import annotations

from alembic import context

from envyard.registry.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only run programmatically
    raise RuntimeError("envyard migrations run through envyard.registry.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
