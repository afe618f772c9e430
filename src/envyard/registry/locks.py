"""The registry's side of locks: lock a body before it is stored, read, diff and search locks.

Resolving runs *before* the write transaction (it can take seconds and must not hold the
database's write lock); the service then stores the lock with the version it belongs to.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envyard.locking.diff import LockDiff, diff_locks
from envyard.locking.model import Lock
from envyard.locking.search import PackageMatch, matches, parse_query
from envyard.registry import queries as q
from envyard.registry.models import Item, Version
from envyard.registry.records import VersionLock
from envyard.registry.refs import parse_ref

if TYPE_CHECKING:
    from envyard.registry.db import Database
    from envyard.registry.kinds import Kind, VersionedRecord

__all__ = ["LockReads", "lock_document", "search", "stored_lock"]


def lock_document(
    name: str,
    document: Mapping[str, Any],
    platforms: Sequence[str] = (),
    *,
    previous: Lock | None = None,
) -> Lock | None:
    """The lock of an environment document's kernel (None when it declares no kernel).

    ``previous`` (the newest version's lock) is kept when the kernel is the same (spec hash)
    and covers the platforms asked for: an update that does not touch the kernel keeps its
    exact packages; ``relock`` is how new releases are taken in.
    """
    from envyard.launch.kernelspec import kernel_spec
    from envyard.locking.config import lock_platforms
    from envyard.locking.resolve import lock_kernel, spec_hash
    from envyard.spec.environment import Environment

    environment = Environment.model_validate({"name": name, **document})
    spec = kernel_spec(environment)
    if spec is None:
        return None
    if (
        previous is not None
        and previous.spec_hash == spec_hash(spec)
        and set(lock_platforms(platforms)) <= set(previous.platforms)
    ):
        return previous
    return lock_kernel(spec, platforms=platforms)


def stored_lock(version: Version) -> Lock | None:
    return Lock.model_validate(version.lock) if version.lock else None


def search(session: Session, kind: str, query: str, limit: int) -> list[PackageMatch]:
    """Current (non-archived) versions whose lock holds a package matching *query*."""
    wanted = parse_query(query)
    rows = session.execute(
        select(Item.name, Version.version, Version.lock)
        .join(Version, Version.id == Item.current_version_id)
        .where(Item.kind == kind, Version.state != "archived", Version.lock.is_not(None))
        .order_by(Item.name)
    ).all()
    found: list[PackageMatch] = []
    for name, version, lock in rows:
        if lock is None:  # a JSON null (a version without a kernel): is_not(None) keeps it
            continue
        found += matches(f"{name}@{version}", Lock.model_validate(lock), wanted)
        if len(found) >= limit:
            break
    return found[:limit]


class LockReads:
    """The read side of locks, part of :class:`~envyard.registry.service.RegistryService`."""

    db: Database
    kind: Kind

    def versions(
        self, name: str, *, include_archived: bool = False
    ) -> builtins.list[VersionedRecord]:
        raise NotImplementedError  # pragma: no cover - the service defines it

    def lock(self, ref: str) -> VersionLock:
        """The stored lock of version *ref* (``lock`` None: no kernel, or made before locks)."""
        with self.db.read() as session:
            item, version = q.resolve(session, self.kind, parse_ref(ref))
            return VersionLock(
                ref=f"{item.name}@{version.version}",
                spec_hash=version.spec_hash,
                lock_hash=version.lock_hash,
                lock=stored_lock(version),
            )

    def diff(self, new: str, old: str | None = None, *, platform: str | None = None) -> LockDiff:
        """Package changes from *old* (default: the version before *new*) to *new*."""
        after = self.lock(new)
        if old is None:
            name, _, version = after.ref.partition("@")
            history = [v.version for v in self.versions(name, include_archived=True)]
            at = history.index(version)
            old = f"{name}@{history[at + 1]}" if at + 1 < len(history) else None
        before = self.lock(old) if old else VersionLock(ref="(nothing)")
        either = after.lock or before.lock
        chosen = platform or (next(iter(either.platforms)) if either else "linux-64")
        return diff_locks(
            before.lock, after.lock, old_ref=before.ref, new_ref=after.ref, platform=chosen
        )

    def search_packages(self, query: str, *, limit: int = 100) -> builtins.list[PackageMatch]:
        """Current versions whose lock holds a package matching *query* (``torch>=2``)."""
        with self.db.read() as session:
            return search(session, self.kind.name, query, limit)
