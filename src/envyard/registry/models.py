"""The metastore's tables (SQLAlchemy 2). Change them only together with a new migration.

- ``registry_items``: one row per (kind, name); ``revision`` is bumped by every change to any
  of its versions (it is the ETag), ``current_version_id`` is the version ``name`` resolves to.
- ``registry_versions``: immutable content (``document``, ``content_hash``), the kernel's
  ``lock`` (with ``spec_hash`` and ``lock_hash``, NULL without a kernel) plus lifecycle.
- ``registry_tags``: the tags of each version, for filtering.
- ``api_tokens``: sha256 of each token, never the token.
- ``runs``: job run records (secrets masked before they are stored).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite stores naive values)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)  # noqa: S101 - DateTime column
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Item(Base):
    __tablename__ = "registry_items"
    __table_args__ = (
        UniqueConstraint("kind", "name", name="uq_registry_items_kind_name"),
        {"sqlite_autoincrement": True},  # ids are never reused: ETags stay unique
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    versions: Mapped[list[Version]] = relationship(
        back_populates="item", cascade="all, delete-orphan", passive_deletes=True
    )


class Version(Base):
    __tablename__ = "registry_versions"
    __table_args__ = (
        UniqueConstraint("item_id", "version", name="uq_registry_versions_item_version"),
        UniqueConstraint("item_id", "seq", name="uq_registry_versions_item_seq"),
        Index("ix_registry_versions_content_hash", "content_hash"),
        Index("ix_registry_versions_lock_hash", "lock_hash"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("registry_items.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(80))
    spec_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lock_hash: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lock: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="active")
    replaced_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delete_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[Item] = relationship(back_populates="versions")
    tags: Mapped[list[Tag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class Tag(Base):
    __tablename__ = "registry_tags"
    __table_args__ = (Index("ix_registry_tags_key_value", "key", "value"),)

    version_id: Mapped[int] = mapped_column(
        ForeignKey("registry_versions.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(512), default="")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_state_created_at", "state", "created_at"),)

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    job_name: Mapped[str] = mapped_column(String(128))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    target: Mapped[str | None] = mapped_column(String(128), nullable=True)
    backend: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    handle: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
