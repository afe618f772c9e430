"""The hot read path: one Core query per ``get``, records and their JSON cached per revision.

The JSON is what readers are shown (credentials masked, :meth:`.Kind.shown`); the record is
as stored.

A cached entry is keyed by everything that changes when anything under the name changes
(item id and creation time, the name's revision, the version row, its ``updated_at`` and
content hash), so a hit is always current: the query still runs on every call, only building
and serialising the record is skipped. Misses and every error fall back to the full path in
:mod:`envyard.registry.queries`, which gives the detailed messages.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import DBAPIError

from envyard.registry.db import Database
from envyard.registry.kinds import Kind, VersionedRecord
from envyard.registry.models import Item, Version
from envyard.registry.queries import etag_of
from envyard.registry.refs import Ref

_COLUMNS = (
    Item.id.label("item_id"), Item.name, Item.revision, Item.created_at.label("item_created_at"),
    Version.id.label("version_id"), Version.version, Version.document, Version.content_hash,
    Version.spec_hash, Version.lock_hash,
    Version.state, Version.replaced_by, Version.delete_on, Version.created_by,
    Version.created_at, Version.updated_by, Version.updated_at,
)  # fmt: skip


class RecordCache:
    """A small LRU of ``key -> (record, json bytes)``, safe to share between threads."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._data: OrderedDict[tuple[Any, ...], tuple[VersionedRecord, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[VersionedRecord, bytes] | None:
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: tuple[VersionedRecord, bytes]) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


# built once: building a statement costs more than running it on SQLite
_CURRENT = (
    select(*_COLUMNS)
    .join(Version, Version.id == Item.current_version_id)
    .where(Item.kind == bindparam("kind"), Item.name == bindparam("name"))
)
_EXACT = (
    select(*_COLUMNS)
    .join(Version, Version.item_id == Item.id)
    .where(
        Item.kind == bindparam("kind"),
        Item.name == bindparam("name"),
        Version.version == bindparam("version"),
    )
)


def _row(db: Database, kind: Kind, ref: Ref) -> Row[Any] | None:
    params = {"kind": kind.name, "name": ref.name}
    query = _CURRENT if ref.version is None else _EXACT
    if ref.version is not None:
        params["version"] = ref.version
    for attempt in (1, 2):
        try:
            with db.single_select.connect() as connection:
                return connection.execute(query, params).first()
        except DBAPIError as exc:  # a connection the database server dropped: retry once
            if attempt == 2 or not exc.connection_invalidated:
                raise
    return None  # pragma: no cover - the loop returns or raises


def fast_get(
    db: Database, kind: Kind, ref: Ref, cache: RecordCache
) -> tuple[VersionedRecord, bytes] | None:
    """The record ``ref`` points at and its JSON, or None (let the full path explain why)."""
    row = _row(db, kind, ref)
    if row is None or (ref.version is None and row.state == "archived"):
        return None
    key = (
        row.item_id, row.item_created_at, row.revision, row.version_id, row.updated_at,
        row.content_hash,
    )  # fmt: skip
    found = cache.get(key)
    if found is not None:
        return found
    record = kind.build(
        {
            "name": row.name, "version": row.version, "state": row.state,
            "content_hash": row.content_hash, "replaced_by": row.replaced_by,
            "spec_hash": row.spec_hash, "lock_hash": row.lock_hash,
            "delete_on": row.delete_on, "created_by": row.created_by,
            "created_at": row.created_at, "updated_by": row.updated_by,
            "updated_at": row.updated_at, "document": dict(row.document),
            "etag": etag_of(Item(id=row.item_id, revision=row.revision)),
        }
    )  # fmt: skip
    value = (record, kind.shown(record.model_dump_json()).encode())
    cache.put(key, value)
    return value
