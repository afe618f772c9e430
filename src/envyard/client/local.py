"""The in-process transport: the registry's service layer on the local metastore."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from envyard.client.transport import Record
from envyard.locking.diff import LockDiff
from envyard.locking.search import PackageMatch
from envyard.registry.actor import local_actor
from envyard.registry.db import display_url
from envyard.registry.records import Page, RunRecord, TokenRecord, VersionLock
from envyard.registry.service import RegistryService
from envyard.registry.store import Registry


class LocalTransport:
    def __init__(self, db_url: str) -> None:
        self.registry = Registry.open(db_url)
        self.actor = local_actor()

    @property
    def where(self) -> str:
        return display_url(self.registry.db.url)

    def _svc(self, kind: str) -> RegistryService:
        service: RegistryService = getattr(self.registry, kind)
        return service

    def create(self, kind: str, body: Any, *, platforms: Sequence[str] = ()) -> Record:
        return self._svc(kind).create(body, by=self.actor, platforms=platforms)

    def get(self, kind: str, ref: str) -> Record:
        return self._svc(kind).get(ref)

    def resolve(self, kind: str, ref: str) -> Record:
        return self._svc(kind).resolve(ref)

    def list(
        self,
        kind: str,
        *,
        tag: builtins.list[str],
        prefix: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> Page[Record]:
        page = self._svc(kind).list(tag=tag, prefix=prefix, state=state, limit=limit, offset=offset)
        return Page[Record](items=page.items, total=page.total, limit=limit, offset=offset)

    def versions(self, kind: str, name: str, *, include_archived: bool) -> builtins.list[Record]:
        return list(self._svc(kind).versions(name, include_archived=include_archived))

    def update(
        self, kind: str, name: str, body: Any, *, replace: bool, if_match: str | None,
        platforms: Sequence[str] = (),
    ) -> Record:  # fmt: skip
        return self._svc(kind).update(
            name, body, replace=replace, by=self.actor, if_match=if_match, platforms=platforms
        )

    def relock(self, name: str, *, platforms: Sequence[str]) -> Record:
        return self.registry.environments.relock(name, platforms=platforms, by=self.actor)

    def lock(self, ref: str) -> VersionLock:
        return self.registry.environments.lock(ref)

    def diff(self, new: str, old: str | None, *, platform: str | None) -> LockDiff:
        return self.registry.environments.diff(new, old, platform=platform)

    def search_packages(self, query: str, *, limit: int) -> builtins.list[PackageMatch]:
        return self.registry.environments.search_packages(query, limit=limit)

    def deprecate(
        self,
        kind: str,
        ref: str,
        *,
        replaced_by: str | None,
        delete_on: dt.date | None,
        if_match: str | None,
    ) -> Record:
        return self._svc(kind).deprecate(
            ref, replaced_by=replaced_by, delete_on=delete_on, by=self.actor, if_match=if_match
        )

    def archive(self, kind: str, ref: str, *, if_match: str | None) -> Record:
        return self._svc(kind).archive(ref, by=self.actor, if_match=if_match)

    def delete(self, kind: str, ref: str, *, if_match: str | None) -> None:
        self._svc(kind).delete(ref, if_match=if_match)

    def run_create(
        self,
        job_name: str,
        spec: dict[str, Any],
        target: str | None,
        backend: str,
        created_by: str | None,
    ) -> RunRecord:
        return self.registry.runs.create(job_name, spec, target, backend, created_by or self.actor)

    def run_update(self, run_id: str, changes: dict[str, Any]) -> RunRecord:
        return self.registry.runs.update(run_id, **changes)

    def run_get(self, run_id: str) -> RunRecord:
        return self.registry.runs.get(run_id)

    def run_list(self, state: str | None, limit: int) -> builtins.list[RunRecord]:
        return self.registry.runs.list(state=state, limit=limit)

    def run_logs(self, run_id: str, *, follow: bool) -> Iterator[str]:
        from envyard.jobs import runlogs

        if follow:
            yield from runlogs.follow(self.registry, run_id)
            return
        yield runlogs.logs(runlogs.refresh(self.registry, self.registry.runs.get(run_id)))

    def token_create(self, name: str, scope: str) -> tuple[TokenRecord, str]:
        return self.registry.tokens.create(name, scope, by=self.actor)

    def token_list(self, include_revoked: bool) -> builtins.list[TokenRecord]:
        return self.registry.tokens.list(include_revoked=include_revoked)

    def token_revoke(self, id_or_name: str) -> builtins.list[TokenRecord]:
        return self.registry.tokens.revoke(id_or_name)

    def close(self) -> None:
        """Nothing to do: the engine is shared by every client of this process."""
