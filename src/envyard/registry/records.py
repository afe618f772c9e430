"""What the registry returns: frozen records, shared by the service, the REST API and the SDK.

This module imports pydantic and the spec models only (never SQLAlchemy), so the HTTP client
can build the same records from JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, computed_field

from envyard.locking.model import Lock
from envyard.registry.run_states import RunState
from envyard.spec.environment import Environment, Kernel
from envyard.spec.job import Prerequisite

State = Literal["active", "deprecated", "archived"]
STATES: tuple[State, ...] = ("active", "deprecated", "archived")
Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")

T = TypeVar("T")


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _Versioned(Record):
    name: str
    version: str
    description: str = ""
    state: State = "active"
    content_hash: str = Field(description="sha256 of what the version runs (see docs).")
    replaced_by: str | None = None
    delete_on: dt.date | None = None
    created_by: str | None = None
    created_at: dt.datetime
    updated_by: str | None = None
    updated_at: dt.datetime
    etag: str = Field(default="", description="Changes whenever anything of this name changes.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ref(self) -> str:
        """``name@version``: the exact, immutable reference of this version."""
        return f"{self.name}@{self.version}"


class EnvironmentRecord(_Versioned):
    """One version of an environment, as stored in the registry."""

    image: str | None = None
    vm_image: str | None = None
    kernel: Kernel | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    spec_hash: str | None = Field(
        default=None, description="sha256 of the kernel the lock was resolved from."
    )
    lock_hash: str | None = Field(
        default=None,
        description="sha256 of the version's lock (None: no kernel, or made before locks).",
    )

    def spec(self) -> Environment:
        """The environment spec of this version (what ``envyard env export`` writes)."""
        data = self.model_dump(
            mode="json",
            include={"name", "version", "description", "image", "vm_image", "kernel", "tags"},
        )
        return Environment.model_validate(data)


class VersionLock(Record):
    """A version's lock as ``envyard env lock`` and ``GET .../{ref}/lock`` show it."""

    ref: str
    spec_hash: str | None = None
    lock_hash: str | None = None
    lock: Lock | None = Field(
        default=None, description="None: the version has no kernel, or predates locks."
    )


class PrerequisiteRecord(_Versioned):
    """One version of a reusable prerequisite (the job protocol's marketplace)."""

    type: str
    plugin: str | None = None
    document: dict[str, Any] = Field(description="The full prerequisite as stored.")

    def spec(self) -> Prerequisite:
        """The prerequisite spec of this version, ready to put in a job's ``prerequisites``."""
        return Prerequisite.model_validate(self.document)


class Page(Record, Generic[T]):
    """One page of a list: ``items`` plus the ``total`` matching the filters."""

    items: list[T]
    total: int
    limit: int
    offset: int

    def __iter__(self) -> Any:  # iterate over items, not fields
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class RunRecord(Record):
    """One job run: what ran, where, and how it ended. Secrets are masked."""

    id: str
    job_name: str
    spec: dict[str, Any]
    target: str | None = None
    backend: str
    state: RunState = "pending"
    created_by: str | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    exit_code: int | None = None
    handle: dict[str, Any] = Field(default_factory=dict)
    run_dir: str | None = None


class TokenRecord(Record):
    """An API token as listed (the secret itself is never stored, only its sha256)."""

    id: str
    name: str
    scope: Scope
    created_by: str | None = None
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def scope_allows(granted: str, needed: str) -> bool:
    """Scopes are ordered: admin includes write, write includes read."""
    order: tuple[str, ...] = SCOPES
    return order.index(granted) >= order.index(needed)
