"""The registry's service layer: every lifecycle rule, used by the REST API and the SDK alike.

Rules:

- Versions are immutable. ``create`` makes version 1 (or the body's ``version``) of a new
  name; ``update`` adds a new version (the next number unless the body names one); a version
  that exists already, or a body identical to the newest version, is refused (409).
- ``name`` resolves to the newest active version, else the newest deprecated one;
  ``name@version`` to that version in any state. Lists show one row per name (its current
  version) and hide archived ones unless ``state="archived"`` is asked for.
- Lifecycle: ``active -> deprecated (replaced_by, delete_on) -> archived``. Acting on ``name``
  changes every version not yet in the target state; ``name@version`` changes that one.
  An environment whose versions are all archived cannot be updated.
- Every write bumps the name's revision (its ETag); ``if_match`` makes a write conditional
  (412 when someone else changed the name since it was read). Writers to one name are
  serialised by a row lock, so no update is ever lost.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from envyard.errors import ConflictError, SpecError
from envyard.registry import queries as q
from envyard.registry.db import Database
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.fastread import RecordCache, fast_get
from envyard.registry.kinds import Kind, Validated, VersionedRecord
from envyard.registry.models import Item, Tag, Version, utcnow
from envyard.registry.records import STATES, Page
from envyard.registry.refs import check_name, parse_ref

MAX_PAGE = 500
__all__ = ["PreconditionFailedError", "RegistryService", "merge_changes", "parse_date"]


def _check_etag(item: Item, if_match: str | None) -> None:
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


class RegistryService:
    """CRUD and lifecycle of one kind (environments or prerequisites) in one database."""

    def __init__(self, db: Database, kind: Kind) -> None:
        self.db = db
        self.kind = kind
        self._cache = RecordCache()

    # --- reads ---------------------------------------------------------------------------

    def get(self, ref: str) -> VersionedRecord:
        """``name`` (current version) or ``name@version`` (any state)."""
        return self.get_json(ref)[0]

    resolve = get

    def get_json(self, ref: str) -> tuple[VersionedRecord, bytes]:
        """:meth:`get` and the record's JSON (cached per revision: the REST hot path)."""
        parsed = parse_ref(ref)
        found = fast_get(self.db, self.kind, parsed, self._cache)
        if found is not None:
            return found
        with self.db.read() as session:  # not there: the full path says exactly why
            item, version = q.resolve(session, self.kind, parsed)
            record = q.to_record(self.kind, item, version)
        return record, record.model_dump_json().encode()

    def list(
        self,
        *,
        tag: str | Sequence[str] | None = None,
        prefix: str | None = None,
        state: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[VersionedRecord]:
        tags = [tag] if isinstance(tag, str) else list(tag or [])
        if state is not None and state not in STATES:
            raise SpecError.at(
                "<query>",
                f"unknown state '{state}'",
                field="state",
                hint="one of " + ", ".join(STATES),
            )
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise SpecError.at(
                "<query>",
                f"limit must be 1..{MAX_PAGE} and offset >= 0 (got {limit}, {offset})",
                field="limit",
            )
        query = q.list_query(self.kind, tags=tags, prefix=prefix, state=state)
        with self.db.read() as session:
            total = q.count(session, query)
            rows = session.execute(query.order_by(Item.name).limit(limit).offset(offset)).all()
            items = [q.to_record(self.kind, item, version) for item, version in rows]
        return Page[VersionedRecord](items=items, total=total, limit=limit, offset=offset)

    def versions(
        self, name: str, *, include_archived: bool = False
    ) -> builtins.list[VersionedRecord]:
        """Every version of ``name``, newest first (archived ones only when asked for)."""
        with self.db.read() as session:
            item = q.find_item(session, self.kind, check_name(name))
            return [
                q.to_record(self.kind, item, v)
                for v in q.all_versions(session, item)
                if include_archived or v.state != "archived"
            ]

    def etag(self, name: str) -> str:
        with self.db.read() as session:
            return q.etag_of(q.find_item(session, self.kind, check_name(name)))

    # --- writes --------------------------------------------------------------------------

    def create(self, body: Any, *, by: str | None = None) -> VersionedRecord:
        checked = self.kind.validate(body, "<input>")
        try:
            with self.db.write() as session:
                found = select(Item.id).where(
                    Item.kind == self.kind.name, Item.name == checked.name
                )
                if session.scalar(found) is not None:
                    raise self._exists(checked.name)
                item = Item(kind=self.kind.name, name=checked.name, revision=1)
                session.add(item)
                session.flush()
                version = self._add_version(session, item, checked, checked.version or "1", by)
                return q.to_record(self.kind, item, version)
        except IntegrityError:  # a concurrent create of the same name won
            raise self._exists(checked.name) from None

    def update(
        self,
        name: str,
        body: Any,
        *,
        replace: bool = True,
        by: str | None = None,
        if_match: str | None = None,
    ) -> VersionedRecord:
        """Add a new version: ``body`` is a full spec (``replace``) or changes to merge."""
        check_name(name)
        try:
            with self.db.write() as session:
                item = q.find_item(session, self.kind, name, lock=True)
                _check_etag(item, if_match)
                history = q.all_versions(session, item)
                if all(v.state == "archived" for v in history):
                    raise ConflictError(
                        f"{self.kind.name} '{name}' is archived; archived {self.kind.plural} "
                        "cannot get new versions",
                        hint="create it again under a new name",
                    )
                checked = self._updated_body(name, body, replace, history[0])
                if checked.version is None and checked.document == history[0].document:
                    raise ConflictError(
                        f"nothing changed: the body is identical to {name}@{history[0].version}"
                    )
                label = checked.version or self._next_version(history)
                version = self._add_version(session, item, checked, label, by)
                return q.to_record(self.kind, item, version)
        except IntegrityError:
            raise ConflictError(f"{name} changed while the update ran; try again") from None

    def deprecate(
        self,
        ref: str,
        *,
        replaced_by: str | None = None,
        delete_on: dt.date | str | None = None,
        by: str | None = None,
        if_match: str | None = None,
    ) -> VersionedRecord:
        """Mark ``ref`` deprecated; ``replaced_by`` must exist, ``delete_on`` is a date."""
        when = parse_date(delete_on)
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            _check_etag(item, if_match)
            targets = self._targets(session, item, parsed.version, ("active", "deprecated"))
            if replaced_by is not None:
                _, successor = q.resolve(session, self.kind, parse_ref(replaced_by))
                if successor.id in {t.id for t in targets}:
                    raise SpecError.at(
                        "<input>",
                        f"'{replaced_by}' is the version being deprecated",
                        field="replaced_by",
                        hint="name the environment that replaces it",
                    )
            for target in targets:
                target.state = "deprecated"
                target.replaced_by = replaced_by
                target.delete_on = when
            return self._touched(session, item, targets, by)

    def archive(
        self, ref: str, *, by: str | None = None, if_match: str | None = None
    ) -> VersionedRecord:
        """Hide ``ref`` from lists; exact versions still resolve (running work keeps going)."""
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            _check_etag(item, if_match)
            targets = self._targets(session, item, parsed.version, ("active", "deprecated"))
            for target in targets:
                target.state = "archived"
            return self._touched(session, item, targets, by)

    def delete(self, ref: str, *, if_match: str | None = None) -> None:
        """Remove ``name@version``, or every version of ``name``. This cannot be undone."""
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            _check_etag(item, if_match)
            if parsed.version is None:
                session.delete(item)
                return
            version = q.find_version(session, self.kind, item, parsed.version)
            session.delete(version)
            session.flush()
            rest = q.all_versions(session, item)
            if not rest:
                session.delete(item)
                return
            item.revision += 1
            current = q.pick_current(rest)
            item.current_version_id = current.id if current else None

    # --- helpers -------------------------------------------------------------------------

    def _exists(self, name: str) -> ConflictError:
        cli = "env" if self.kind.name == "environment" else "prereq"
        return ConflictError(
            f"{self.kind.name} '{name}' already exists",
            hint=f"add a version with `envyard {cli} update {name} ...`, or pick another name",
        )

    def _updated_body(self, name: str, body: Any, replace: bool, newest: Version) -> Validated:
        if replace:
            if isinstance(body, Mapping) and "name" not in body:
                body = {**body, "name": name}  # PUT /{name} may leave the name out
            checked = self.kind.validate(body, "<input>")
            if checked.name != name:
                raise SpecError.at(
                    "<input>",
                    f"the body names '{checked.name}' but the update is for '{name}'",
                    field="name",
                    hint="an update adds a version to the same name; use create for a new one",
                )
            return checked
        if isinstance(body, Mapping):
            changes = dict(body)
        else:
            raise SpecError.at("<input>", "changes must be a mapping of fields")
        if "name" in changes and changes["name"] != name:
            raise SpecError.at("<input>", "the name cannot be changed", field="name")
        merged = merge_changes({**newest.document, "name": name}, changes)
        return self.kind.validate(merged, "<input>")

    @staticmethod
    def _next_version(history: Sequence[Version]) -> str:
        taken = {v.version for v in history}
        number = max(v.seq for v in history) + 1
        while str(number) in taken:
            number += 1
        return str(number)

    def _add_version(
        self, session: Session, item: Item, checked: Validated, label: str, by: str | None
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
            content_hash=self.kind.content_hash(checked.document), state="active",
            created_by=by, created_at=now, updated_by=by, updated_at=now,
        )  # fmt: skip
        session.add(version)
        session.flush()
        for key, value in self.kind.tags(checked.document).items():
            session.add(Tag(version_id=version.id, key=key, value=value))
        if existing:
            item.revision += 1
        item.current_version_id = version.id
        session.flush()
        return version

    def _targets(
        self, session: Session, item: Item, version: str | None, allowed: tuple[str, ...]
    ) -> builtins.list[Version]:
        if version is not None:
            found = q.find_version(session, self.kind, item, version)
            if found.state not in allowed:
                raise ConflictError(f"{item.name}@{version} is {found.state}; it cannot change")
            return [found]
        targets = [v for v in q.all_versions(session, item) if v.state in allowed]
        if not targets:
            raise ConflictError(f"every version of '{item.name}' is archived already")
        return targets

    def _touched(
        self, session: Session, item: Item, targets: builtins.list[Version], by: str | None
    ) -> VersionedRecord:
        now = utcnow()
        for target in targets:
            target.updated_by, target.updated_at = by, now
        item.revision += 1
        session.flush()
        current = q.pick_current(q.all_versions(session, item))
        item.current_version_id = current.id if current else None
        shown = targets[0] if len(targets) == 1 else (current or targets[0])
        return q.to_record(self.kind, item, shown)
