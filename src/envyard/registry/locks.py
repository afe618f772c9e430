"""The registry's side of locks: lock a body before it is stored, read, diff and search locks.

Resolving runs *before* the write transaction (it can take seconds and must not hold the
database's write lock); the service then stores the lock with the version it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envyard.locking.model import Lock
from envyard.locking.search import PackageMatch, matches, parse_query
from envyard.registry.models import Item, Version

__all__ = ["lock_document", "search"]


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
