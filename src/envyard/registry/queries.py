"""Read-side helpers of the registry service: finding items and versions, building records."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from envyard.errors import NotFoundError
from envyard.registry.kinds import Kind, VersionedRecord
from envyard.registry.models import Item, Tag, Version
from envyard.registry.refs import Ref

ORDER = ("active", "deprecated", "archived")


def etag_of(item: Item) -> str:
    """The entity tag of everything under one name: changes with every write to it."""
    return f"{item.id}.{item.revision}"


def to_record(kind: Kind, item: Item, version: Version) -> VersionedRecord:
    row: dict[str, Any] = {
        "name": item.name,
        "version": version.version,
        "state": version.state,
        "content_hash": version.content_hash,
        "spec_hash": version.spec_hash,
        "lock_hash": version.lock_hash,
        "replaced_by": version.replaced_by,
        "delete_on": version.delete_on,
        "created_by": version.created_by,
        "created_at": version.created_at,
        "updated_by": version.updated_by,
        "updated_at": version.updated_at,
        "etag": etag_of(item),
        "document": dict(version.document),
    }
    return kind.build(row)


def find_item(session: Session, kind: Kind, name: str, *, lock: bool = False) -> Item:
    query = select(Item).where(Item.kind == kind.name, Item.name == name)
    if lock:
        query = query.with_for_update()
    item = session.scalars(query).first()
    if item is None:
        names = session.scalars(select(Item.name).where(Item.kind == kind.name)).all()
        close = difflib.get_close_matches(name, list(names), n=3)
        hint = ("did you mean " + ", ".join(close) + "?") if close else None
        hint = hint or f"see `envyard {_cli(kind)} list`"
        raise NotFoundError(f"{kind.name} '{name}' not found", hint=hint)
    return item


def _cli(kind: Kind) -> str:
    return "env" if kind.name == "environment" else "prereq"


def all_versions(session: Session, item: Item) -> Sequence[Version]:
    """Every version of ``item``, newest first."""
    query = select(Version).where(Version.item_id == item.id).order_by(Version.seq.desc())
    return session.scalars(query).all()


def find_version(session: Session, kind: Kind, item: Item, version: str) -> Version:
    found = session.scalars(
        select(Version).where(Version.item_id == item.id, Version.version == version)
    ).first()
    if found is None:
        known = [v.version for v in all_versions(session, item)]
        raise NotFoundError(
            f"{kind.name} '{item.name}' has no version '{version}'",
            hint="versions: " + ", ".join(known) if known else None,
        )
    return found


def pick_current(versions: Sequence[Version]) -> Version | None:
    """Newest active version, else newest deprecated, else newest archived (newest first in)."""
    for state in ORDER:
        for version in versions:
            if version.state == state:
                return version
    return None


def resolve(session: Session, kind: Kind, ref: Ref) -> tuple[Item, Version]:
    """The version ``ref`` points at: exact for ``name@version``, else the current one."""
    item = find_item(session, kind, ref.name)
    if ref.version is not None:
        return item, find_version(session, kind, item, ref.version)
    current = session.get(Version, item.current_version_id) if item.current_version_id else None
    if current is None or current.state == "archived":
        known = [v.version for v in all_versions(session, item)]
        raise NotFoundError(
            f"every version of {kind.name} '{ref.name}' is archived",
            hint=f"archived versions resolve only by exact version, e.g. {ref.name}@{known[0]}"
            if known
            else None,
        )
    return item, current


def list_query(
    kind: Kind, *, tags: Sequence[str], prefix: str | None, state: str | None
) -> Select[Item, Version]:
    """Items with their current version, filtered (archived ones only when asked for)."""
    query = (
        select(Item, Version)
        .join(Version, Version.id == Item.current_version_id)
        .where(Item.kind == kind.name)
    )
    if state is None:
        query = query.where(Version.state != "archived")
    else:
        query = query.where(Version.state == state)
    if prefix:
        query = query.where(Item.name.startswith(prefix, autoescape=True))
    for tag in tags:
        key, sep, value = tag.partition("=")
        condition = (Tag.version_id == Version.id) & (Tag.key == key.strip())
        if sep:
            condition = condition & (Tag.value == value.strip())
        query = query.where(exists().where(condition))
    return query


def count(session: Session, query: Select[Item, Version]) -> int:
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    return int(total or 0)
