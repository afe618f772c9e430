"""How the SDK reaches a registry: in-process on the local metastore, or over HTTP.

Both transports take and return the same values (records from :mod:`envyard.registry.records`)
and raise the same :class:`~envyard.errors.EnvyardError` subclasses.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from envyard.locking.diff import LockDiff
from envyard.locking.search import PackageMatch
from envyard.registry.records import Page, RunRecord, TokenRecord, VersionLock

Record = Any  # EnvironmentRecord | PrerequisiteRecord, typed by the namespace that asks


class Transport(Protocol):
    """The operations behind :class:`envyard.client.Client`'s namespaces."""

    def create(self, kind: str, body: Any, *, platforms: Sequence[str] = ()) -> Record: ...
    def get(self, kind: str, ref: str) -> Record: ...
    def resolve(self, kind: str, ref: str) -> Record: ...
    def list(
        self,
        kind: str,
        *,
        tag: builtins.list[str],
        prefix: str | None,
        state: str | None,
        limit: int,
        offset: int,
    ) -> Page[Record]: ...
    def versions(
        self, kind: str, name: str, *, include_archived: bool
    ) -> builtins.list[Record]: ...
    def update(
        self, kind: str, name: str, body: Any, *, replace: bool, if_match: str | None,
        platforms: Sequence[str] = (),
    ) -> Record: ...  # fmt: skip
    def relock(self, name: str, *, platforms: Sequence[str]) -> Record: ...
    def lock(self, ref: str) -> VersionLock: ...
    def diff(self, new: str, old: str | None, *, platform: str | None) -> LockDiff: ...
    def search_packages(self, query: str, *, limit: int) -> builtins.list[PackageMatch]: ...
    def deprecate(
        self,
        kind: str,
        ref: str,
        *,
        replaced_by: str | None,
        delete_on: dt.date | None,
        if_match: str | None,
    ) -> Record: ...
    def archive(self, kind: str, ref: str, *, if_match: str | None) -> Record: ...
    def delete(self, kind: str, ref: str, *, if_match: str | None) -> None: ...

    def run_create(
        self,
        job_name: str,
        spec: dict[str, Any],
        target: str | None,
        backend: str,
        created_by: str | None,
    ) -> RunRecord: ...
    def run_update(self, run_id: str, changes: dict[str, Any]) -> RunRecord: ...
    def run_get(self, run_id: str) -> RunRecord: ...
    def run_list(self, state: str | None, limit: int) -> builtins.list[RunRecord]: ...
    def run_logs(self, run_id: str, *, follow: bool) -> Iterator[str]: ...

    def token_create(self, name: str, scope: str) -> tuple[TokenRecord, str]: ...
    def token_list(self, include_revoked: bool) -> builtins.list[TokenRecord]: ...
    def token_revoke(self, id_or_name: str) -> builtins.list[TokenRecord]: ...

    def close(self) -> None: ...

    @property
    def where(self) -> str:
        """The server URL, or the metastore URL (password hidden)."""
        ...
