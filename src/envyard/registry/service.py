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
  An environment whose versions are all archived cannot be updated. What another version
  names as ``replaced_by`` cannot be deleted (409, naming those versions).
- Environment versions are locked when they are made (``create``, ``update``, ``relock``):
  the kernel is resolved to exact packages before the write and stored with the version
  (:mod:`.locks`); a version's lock never changes, ``relock`` makes a new version.
- Every write bumps the name's revision (its ETag); ``if_match`` makes a write conditional
  (412 when someone else changed the name since it was read). Writers to one name are
  serialised by a row lock, so no update is ever lost.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from envyard.errors import ConflictError, SpecError
from envyard.locking.model import Lock
from envyard.registry import MAX_OFFSET
from envyard.registry import queries as q
from envyard.registry import writes as w
from envyard.registry.db import Database
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.fastread import RecordCache, fast_get
from envyard.registry.kinds import Kind, Validated, VersionedRecord
from envyard.registry.locks import LockReads, lock_document, stored_lock
from envyard.registry.models import Item, Version
from envyard.registry.records import STATES, Page
from envyard.registry.refs import check_name, check_text, parse_ref

MAX_PAGE = 500
__all__ = ["PreconditionFailedError", "RegistryService"]


class RegistryService(LockReads):
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
        """:meth:`get` and the record's JSON as readers are shown it (URL credentials masked;
        cached per revision: the REST hot path)."""
        parsed = parse_ref(ref)
        found = fast_get(self.db, self.kind, parsed, self._cache)
        if found is not None:
            return found
        with self.db.read() as session:  # not there: the full path says exactly why
            item, version = q.resolve(session, self.kind, parsed)
            record = q.to_record(self.kind, item, version)
        return record, self.kind.shown(record.model_dump_json()).encode()

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
        if not 1 <= limit <= MAX_PAGE or not 0 <= offset <= MAX_OFFSET:
            raise SpecError.at(
                "<query>",
                f"limit must be 1..{MAX_PAGE} and offset 0..{MAX_OFFSET} (got {limit}, {offset})",
                field="limit" if not 1 <= limit <= MAX_PAGE else "offset",
            )
        check_text(prefix, "prefix", "<query>")
        check_text(tags, "tag", "<query>")
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

    def _lock(
        self, checked: Validated, platforms: Sequence[str], previous: Lock | None = None
    ) -> Lock | None:
        if self.kind.name != "environment":
            return None
        return lock_document(checked.name, checked.document, platforms, previous=previous)

    def create(
        self, body: Any, *, by: str | None = None, platforms: Sequence[str] = ()
    ) -> VersionedRecord:
        """Add a new name; its kernel is locked first (``platforms`` beyond the configured)."""
        checked = w.unmasked(self.kind, self.kind.validate(body, "<input>"))
        lock = self._lock(checked, platforms)
        try:
            with self.db.write() as session:
                found = select(Item.id).where(
                    Item.kind == self.kind.name, Item.name == checked.name
                )
                existing = session.scalar(found)
                if existing is not None:
                    states = select(Version.state).where(Version.item_id == existing)
                    archived = set(session.scalars(states)) <= {"archived"}
                    raise w.exists_error(self.kind, checked.name, archived=archived)
                item = Item(kind=self.kind.name, name=checked.name, revision=1)
                session.add(item)
                session.flush()
                label = checked.version or "1"
                version = w.add_version(session, self.kind, item, checked, label, by=by, lock=lock)
                return q.to_record(self.kind, item, version)
        except IntegrityError:  # a concurrent create of the same name won
            raise w.exists_error(self.kind, checked.name) from None

    def update(
        self,
        name: str,
        body: Any,
        *,
        replace: bool = True,
        by: str | None = None,
        if_match: str | None = None,
        platforms: Sequence[str] = (),
    ) -> VersionedRecord:
        """Add a new version: ``body`` is a full spec (``replace``) or changes to merge.

        The new version's kernel is locked before the write (the newest version's lock is kept
        when the kernel did not change); if the newest version changes meanwhile so that the
        merged body differs, the update is refused (409, try again).
        """
        check_name(name)
        with self.db.read() as session:  # refuse early what the write would refuse
            found = q.find_item(session, self.kind, name)
            w.check_etag(found, if_match)
            history = q.all_versions(session, found)
            planned = w.updated_body(self.kind, name, body, replace, history)
            w.check_updatable(self.kind, name, history, planned)
            previous = stored_lock(history[0])
        lock = self._lock(planned, platforms, previous)
        try:
            with self.db.write() as session:
                item = q.find_item(session, self.kind, name, lock=True)
                w.check_etag(item, if_match)
                history = q.all_versions(session, item)
                checked = w.updated_body(self.kind, name, body, replace, history)
                w.check_updatable(self.kind, name, history, checked)
                if checked != planned:
                    raise ConflictError(f"{name} changed while the update ran; try again")
                label = checked.version or w.next_version(history)
                version = w.add_version(session, self.kind, item, checked, label, by=by, lock=lock)
                return q.to_record(self.kind, item, version)
        except IntegrityError:
            raise ConflictError(f"{name} changed while the update ran; try again") from None

    def relock(
        self, name: str, *, platforms: Sequence[str] = (), by: str | None = None
    ) -> VersionedRecord:
        """A new version of *name*: the current spec locked again now, for the platforms of its
        lock plus *platforms*."""
        current = self.get(check_name(name))
        with self.db.read() as session:
            _, version = q.resolve(session, self.kind, parse_ref(current.ref))
            document, old_hash = dict(version.document), version.lock_hash
            old = stored_lock(version)
        kept = [*(old.platforms if old else ()), *platforms]  # the platforms it had, and more
        checked = Validated(name, None, document)
        lock = self._lock(checked, list(dict.fromkeys(kept)))
        if lock is None:
            raise ConflictError(f"{current.ref} has no kernel: there is nothing to lock")
        if lock.digest() == old_hash:
            raise ConflictError(
                f"nothing changed: {current.ref} is locked to the same packages",
                hint="relock after new releases, or with --platform for more platforms",
            )
        with self.db.write() as session:
            item = q.find_item(session, self.kind, name, lock=True)
            history = q.all_versions(session, item)
            label = w.next_version(history)
            added = w.add_version(session, self.kind, item, checked, label, by=by, lock=lock)
            return q.to_record(self.kind, item, added)

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
        when = w.parse_date(delete_on)
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            w.check_etag(item, if_match)
            targets = w.targets_of(
                session, self.kind, item, parsed.version, ("active", "deprecated")
            )
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
            return w.touched(session, self.kind, item, targets, by)

    def archive(
        self, ref: str, *, by: str | None = None, if_match: str | None = None
    ) -> VersionedRecord:
        """Hide ``ref`` from lists; exact versions still resolve (running work keeps going)."""
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            w.check_etag(item, if_match)
            targets = w.targets_of(
                session, self.kind, item, parsed.version, ("active", "deprecated")
            )
            for target in targets:
                target.state = "archived"
            return w.touched(session, self.kind, item, targets, by)

    def delete(self, ref: str, *, if_match: str | None = None) -> None:
        """Remove ``name@version``, or every version of ``name``. This cannot be undone.

        Refused (409) while another version names it as ``replaced_by`` (which must exist)."""
        parsed = parse_ref(ref)
        with self.db.write() as session:
            item = q.find_item(session, self.kind, parsed.name, lock=True)
            w.check_etag(item, if_match)
            if parsed.version is None:
                w.check_not_replacement(session, self.kind, item, None, removes_item=True)
                session.delete(item)
                return
            version = q.find_version(session, self.kind, item, parsed.version)
            last = len(q.all_versions(session, item)) == 1
            w.check_not_replacement(session, self.kind, item, parsed.version, removes_item=last)
            session.delete(version)
            session.flush()
            rest = q.all_versions(session, item)
            if not rest:
                session.delete(item)
                return
            item.revision += 1
            current = q.pick_current(rest)
            item.current_version_id = current.id if current else None
