"""Alembic environment: runs on the connection handed over by :mod:`envyard.registry.migrate`.

To write a new migration after changing :mod:`envyard.registry.models`::

    python -m envyard.registry.migrate "what changed"

Envyard's own column types are rendered as plain SQLAlchemy types, so migrations never import
the models (a migration describes the schema as it was when it was written).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from envyard.registry.models import Base, UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only run programmatically
    raise RuntimeError("envyard migrations run through envyard.registry.migrate.upgrade()")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
)
with context.begin_transaction():
    context.run_migrations()
