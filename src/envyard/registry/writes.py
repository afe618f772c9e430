"""Write-side helpers of the registry service: conditions, new versions, lifecycle changes.

They run inside the service's write transaction, on rows it has locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from envyard.errors import ConflictError, SpecError
from envyard.registry import queries as q
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.kinds import Kind, Validated, VersionedRecord
from envyard.registry.masking import restore_masked
from envyard.registry.models import Item, Tag, Version, utcnow

if TYPE_CHECKING:
    from envyard.locking.model import Lock

CHANGEABLE = ("active", "deprecated")
"""States a lifecycle action can start from (archived is final)."""


def check_etag(item: Item, if_match: str | None) -> None:
    if if_match is None:
        return
    wanted = {t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")}
    if "*" in wanted or q.etag_of(item) in wanted:
        return
    raise PreconditionFailedError(
        f"'{item.name}' changed since you read it (now at revision {item.revision})",
        hint="read it again and re-apply your change",
    )


def parse_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SpecError.at(
            "<input>", f"'{value}' is not a date", field="delete_on", hint="use YYYY-MM-DD"
        ) from None


def merge_changes(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level merge: a key in ``changes`` replaces the base's; ``None`` removes it."""
    merged = dict(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def exists_error(kind: Kind, name: str, *, archived: bool = False) -> ConflictError:
    """The name is taken; an archived name gets no new versions, so only another name helps."""
    cli = "env" if kind.name == "environment" else "prereq"
    if archived:
        return ConflictError(
            f"{kind.name} '{name}' already exists and is archived (archived {kind.plural} cannot "
            "get new versions)",
            hint=f"pick another name, or remove the archived one with `envyard {cli} delete "
            f"{name}` first",
        )
    return ConflictError(
        f"{kind.name} '{name}' already exists",
        hint=f"add a version with `envyard {cli} update {name} ...`, or pick another name",
    )


def unmasked(kind: Kind, checked: Validated, history: Sequence[Version] = ()) -> Validated:
    """*checked* with the credentials readers were shown masked (``***``: an exported spec
    written back) restored from the stored versions of the name; refused when none has it."""
    if not kind.masked:
        return checked
    document = restore_masked(checked.document, (v.document for v in history))
    return Validated(checked.name, checked.version, document)


def updated_body(
    kind: Kind, name: str, body: Any, replace: bool, history: Sequence[Version]
) -> Validated:
    """The new version's checked body (``history``: the versions of the name, newest first)."""
    if replace:
        if isinstance(body, Mapping) and "name" not in body:
            body = {**body, "name": name}  # PUT /{name} may leave the name out
        checked = kind.validate(body, "<input>")
        if checked.name != name:
            raise SpecError.at(
                "<input>",
                f"the body names '{checked.name}' but the update is for '{name}'",
                field="name",
                hint="an update adds a version to the same name; use create for a new one",
            )
        return unmasked(kind, checked, history)
    if isinstance(body, Mapping):
        changes = dict(body)
    else:
        raise SpecError.at("<input>", "changes must be a mapping of fields")
    if "name" in changes and changes["name"] != name:
        raise SpecError.at("<input>", "the name cannot be changed", field="name")
    merged = merge_changes({**history[0].document, "name": name}, changes)
    return unmasked(kind, kind.validate(merged, "<input>"), history)


def check_updatable(kind: Kind, name: str, history: Sequence[Version], checked: Validated) -> None:
    """Refuse a new version of an archived name, or one identical to the newest version."""
    if all(v.state == "archived" for v in history):
        raise ConflictError(
            f"{kind.name} '{name}' is archived; archived {kind.plural} cannot get new versions",
            hint="create it again under a new name",
        )
    if checked.version is None and checked.document == history[0].document:
        raise ConflictError(
            f"nothing changed: the body is identical to {name}@{history[0].version}"
        )


def next_version(history: Sequence[Version]) -> str:
    """One more than the highest numeric version (``five@5`` -> 6, whatever order they were
    made in); a name with no numeric version counts its versions (``1.0.0`` -> 2)."""
    taken = {v.version for v in history}
    numbers = [int(v) for v in taken if v.isascii() and v.isdigit()]
    number = max(numbers, default=len(history)) + 1
    while str(number) in taken:
        number += 1
    return str(number)


def add_version(
    session: Session,
    kind: Kind,
    item: Item,
    checked: Validated,
    label: str,
    *,
    by: str | None,
    lock: Lock | None = None,
) -> Version:
    existing = {v.version: v for v in q.all_versions(session, item)}
    if label in existing:
        raise ConflictError(
            f"{item.name}@{label} already exists; versions are immutable",
            hint="leave `version` out to get the next number, or pick a new one",
        )
    now = utcnow()
    seq = max((v.seq for v in existing.values()), default=0) + 1
    version = Version(
        item_id=item.id, version=label, seq=seq, document=checked.document,
        content_hash=kind.content_hash(checked.document), state="active",
        created_by=by, created_at=now, updated_by=by, updated_at=now,
        spec_hash=lock.spec_hash if lock else None,
        lock_hash=lock.digest() if lock else None,
        lock=lock.model_dump(mode="json") if lock else None,
    )  # fmt: skip
    session.add(version)
    session.flush()
    for key, value in kind.tags(checked.document).items():
        session.add(Tag(version_id=version.id, key=key, value=value))
    if existing:
        item.revision += 1
    item.current_version_id = version.id
    session.flush()
    return version


def check_not_replacement(
    session: Session, kind: Kind, item: Item, version: str | None, removes_item: bool
) -> None:
    """Refuse to delete what other versions name as their ``replaced_by`` (it must exist):
    ``name@version``, or ``name`` itself when the delete removes the name."""
    exact = [f"{item.name}@{version}"] if version else []
    named: ColumnElement[bool] = Version.replaced_by.in_(exact)
    if removes_item:
        named = or_(
            named,
            Version.replaced_by == item.name,
            Version.replaced_by.startswith(f"{item.name}@", autoescape=True),
        )
    rows = session.execute(
        select(Item.name, Version.version, Version.item_id)
        .join(Item, Item.id == Version.item_id)
        .where(Item.kind == kind.name, named)
        .order_by(Item.name, Version.seq)
    ).all()
    pointing = [f"{n}@{v}" for n, v, owner in rows if not (removes_item and owner == item.id)]
    if pointing:
        what = f"{item.name}@{version}" if version else item.name
        raise ConflictError(
            f"{what} is the replacement (replaced_by) of {', '.join(pointing)}; "
            "deleting it would leave them pointing at nothing",
            hint="delete those versions first, or deprecate them again with another "
            f"--replaced-by (archived ones can only be deleted), then delete {what}",
        )


def targets_of(
    session: Session, kind: Kind, item: Item, version: str | None, allowed: tuple[str, ...]
) -> list[Version]:
    if version is not None:
        found = q.find_version(session, kind, item, version)
        if found.state not in allowed:
            raise ConflictError(f"{item.name}@{version} is {found.state}; it cannot change")
        return [found]
    targets = [v for v in q.all_versions(session, item) if v.state in allowed]
    if not targets:
        raise ConflictError(f"every version of '{item.name}' is archived already")
    return targets


def touched(
    session: Session, kind: Kind, item: Item, targets: list[Version], by: str | None
) -> VersionedRecord:
    now = utcnow()
    for target in targets:
        target.updated_by, target.updated_at = by, now
    item.revision += 1
    session.flush()
    current = q.pick_current(q.all_versions(session, item))
    item.current_version_id = current.id if current else None
    shown = targets[0] if len(targets) == 1 else (current or targets[0])
    return q.to_record(kind, item, shown)
