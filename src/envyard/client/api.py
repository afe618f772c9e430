"""The SDK's namespaces: ``client.environments``, ``.prerequisites``, ``.runs``, ``.tokens``."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from envyard.client.transport import Transport
from envyard.errors import SpecError
from envyard.locking.diff import LockDiff
from envyard.locking.search import PackageMatch
from envyard.registry.records import (
    EnvironmentRecord,
    Page,
    PrerequisiteRecord,
    RunRecord,
    TokenRecord,
    VersionLock,
)
from envyard.spec.environment import Environment
from envyard.spec.job import Prerequisite

R = TypeVar("R", EnvironmentRecord, PrerequisiteRecord)
S = TypeVar("S", Environment, Prerequisite)


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise SpecError.at(
            "<input>", f"'{value}' is not a date", field="delete_on", hint="use YYYY-MM-DD"
        ) from None


class Versioned(Generic[R, S]):
    """CRUD and lifecycle of one kind; ``ref`` is ``name`` or ``name@version``."""

    def __init__(self, transport: Transport, kind: str) -> None:
        self._t = transport
        self._kind = kind

    def create(self, spec: S | Mapping[str, Any], *, platforms: Sequence[str] = ()) -> R:
        """Create a new name with its first version (``version`` defaults to ``1``).

        An environment's kernel is locked for the configured platforms plus ``platforms``."""
        record: R = self._t.create(self._kind, _plain(spec), platforms=platforms)
        return record

    def get(self, ref: str) -> R:
        """``name``: newest active version (else newest deprecated); ``name@version``: exact,
        in any state (archived included)."""
        record: R = self._t.get(self._kind, ref)
        return record

    def resolve(self, ref: str) -> R:
        """The exact version ``ref`` stands for now (``record.ref`` pins it)."""
        record: R = self._t.resolve(self._kind, ref)
        return record

    def list(
        self,
        tag: str | Sequence[str] | None = None,
        prefix: str | None = None,
        state: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[R]:
        """One record per name (its current version); ``tag`` is ``KEY`` or ``KEY=VALUE``
        (several: all must match); archived names only with ``state="archived"``."""
        tags = [tag] if isinstance(tag, str) else list(tag or [])
        page: Page[R] = self._t.list(
            self._kind, tag=tags, prefix=prefix, state=state, limit=limit, offset=offset
        )
        return page

    def versions(self, name: str, include_archived: bool = False) -> builtins.list[R]:
        """Every version of ``name``, newest first."""
        records: builtins.list[R] = self._t.versions(
            self._kind, name, include_archived=include_archived
        )
        return records

    def update(
        self,
        name: str,
        spec_or_changes: S | Mapping[str, Any],
        *,
        replace: bool | None = None,
        if_match: str | None = None,
        platforms: Sequence[str] = (),
    ) -> R:
        """Add a new version. A spec model replaces the content; a mapping is merged into the
        newest version (a key set to ``None`` is removed) unless ``replace=True``.
        ``if_match`` (a record's ``etag``) refuses the update when the name changed since."""
        if replace is None:
            replace = isinstance(spec_or_changes, BaseModel)
        record: R = self._t.update(
            self._kind, name, _plain(spec_or_changes), replace=replace, if_match=if_match,
            platforms=platforms,
        )  # fmt: skip
        return record

    def deprecate(
        self,
        name: str,
        replaced_by: str | None = None,
        delete_on: dt.date | str | None = None,
        *,
        if_match: str | None = None,
    ) -> R:
        """Deprecate ``name@version``, or every active version of ``name``."""
        record: R = self._t.deprecate(
            self._kind, name, replaced_by=replaced_by, delete_on=_date(delete_on), if_match=if_match
        )
        return record

    def archive(self, name: str, *, if_match: str | None = None) -> R:
        """Hide from lists; exact versions keep resolving."""
        record: R = self._t.archive(self._kind, name, if_match=if_match)
        return record

    def delete(self, name: str, *, if_match: str | None = None) -> None:
        """Remove ``name@version``, or every version of ``name``, for good."""
        self._t.delete(self._kind, name, if_match=if_match)


class Environments(Versioned[EnvironmentRecord, Environment]):
    """``client.environments``: the versioned API plus locks (exact packages per version)."""

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport, "environments")

    def lock(self, ref: str) -> VersionLock:
        """The version's lock: ``.lock`` (a :class:`~envyard.locking.Lock`), hashes, ``ref``."""
        return self._t.lock(ref)

    def diff(self, new: str, old: str | None = None, *, platform: str | None = None) -> LockDiff:
        """Packages added/removed/upgraded/downgraded from *old* (default: previous version)."""
        return self._t.diff(new, old, platform=platform)

    def relock(self, name: str, *, platforms: Sequence[str] = ()) -> EnvironmentRecord:
        """A new version of *name*: its current spec locked again now."""
        record: EnvironmentRecord = self._t.relock(name, platforms=platforms)
        return record

    def search_packages(self, query: str, *, limit: int = 100) -> builtins.list[PackageMatch]:
        """Current versions whose lock holds a package matching *query* (``torch>=2``)."""
        return self._t.search_packages(query, limit=limit)


def _plain(spec: Any) -> Any:
    if isinstance(spec, BaseModel):
        return spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dict(spec) if isinstance(spec, Mapping) else spec


class Runs:
    """Run records; over HTTP they are read-only."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(
        self,
        job_name: str,
        spec: dict[str, Any],
        target: str | None,
        backend: str,
        created_by: str | None = None,
    ) -> RunRecord:
        return self._t.run_create(job_name, spec, target, backend, created_by)

    def update(
        self,
        run_id: str,
        *,
        state: str | None = None,
        started_at: dt.datetime | None = None,
        finished_at: dt.datetime | None = None,
        exit_code: int | None = None,
        handle: dict[str, Any] | None = None,
        run_dir: str | None = None,
    ) -> RunRecord:
        changes = {
            "state": state, "started_at": started_at, "finished_at": finished_at,
            "exit_code": exit_code, "handle": handle, "run_dir": run_dir,
        }  # fmt: skip
        return self._t.run_update(run_id, changes)

    def get(self, run_id: str) -> RunRecord:
        return self._t.run_get(run_id)

    def list(self, state: str | None = None, limit: int = 50) -> builtins.list[RunRecord]:
        return self._t.run_list(state, limit)

    def logs(self, run_id: str) -> str:
        """Every instance's output so far, each line prefixed ``role[index]``, secrets masked."""
        return "".join(self._t.run_logs(run_id, follow=False))

    def follow_logs(self, run_id: str) -> Iterator[str]:
        """Lines (ending in ``\\n``) as the run writes them, from the first; ends with the run."""
        return self._t.run_logs(run_id, follow=True)


class Tokens:
    """API tokens: in-process on the metastore, or over HTTP with an ``admin`` token."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(self, name: str, scope: str = "read") -> tuple[TokenRecord, str]:
        """The record and the plain token (shown once; only its sha256 is stored)."""
        return self._t.token_create(name, scope)

    def list(self, include_revoked: bool = False) -> builtins.list[TokenRecord]:
        return self._t.token_list(include_revoked)

    def revoke(self, id_or_name: str) -> builtins.list[TokenRecord]:
        return self._t.token_revoke(id_or_name)
