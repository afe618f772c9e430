"""Run records: what a job backend ran, where, and how it ended.

The caller masks secrets; as defence in depth every value under a ``secrets`` key (at any
depth of the spec) is replaced by ``***`` again before it is stored.
"""

from __future__ import annotations

import builtins
import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select

from envyard.errors import NotFoundError, SpecError
from envyard.registry.db import Database
from envyard.registry.masking import MASK
from envyard.registry.models import Run, utcnow
from envyard.registry.records import RunRecord
from envyard.registry.run_states import RUN_STATES

__all__ = ["MASK", "RunStore", "mask_secrets"]


def mask_secrets(value: Any, *, under_secrets: bool = False) -> Any:
    """A copy of ``value`` with every leaf below a ``secrets`` key replaced by ``***``."""
    if isinstance(value, dict):
        return {
            k: mask_secrets(v, under_secrets=under_secrets or k == "secrets")
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(v, under_secrets=under_secrets) for v in value]
    return MASK if under_secrets and value is not None else value


def _record(row: Run) -> RunRecord:
    return RunRecord.model_validate(
        {c: getattr(row, c) for c in RunRecord.model_fields if hasattr(row, c)}
    )


def _check_state(state: str) -> str:
    if state not in RUN_STATES:
        raise SpecError.at(
            "<input>", f"unknown run state '{state}'", field="state", hint=", ".join(RUN_STATES)
        )
    return state


class RunStore:
    """Create, update and read run records in the metastore."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db or Database.open()

    def create(
        self,
        job_name: str,
        spec: dict[str, Any],
        target: str | None,
        backend: str,
        created_by: str | None = None,
    ) -> RunRecord:
        with self.db.write() as session:
            run_id = secrets.token_hex(5)
            while session.get(Run, run_id) is not None:  # pragma: no cover - 40 random bits
                run_id = secrets.token_hex(5)
            row = Run(
                id=run_id, job_name=job_name, spec=mask_secrets(spec), target=target,
                backend=backend, state="pending", created_by=created_by, created_at=utcnow(),
                handle={},
            )  # fmt: skip
            session.add(row)
            session.flush()
            return _record(row)

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
        """Change the given fields (``None`` leaves a field as it is)."""
        with self.db.write() as session:
            row = self._row(session, run_id, lock=True)
            if state is not None:
                row.state = _check_state(state)
            if started_at is not None:
                row.started_at = started_at
            if finished_at is not None:
                row.finished_at = finished_at
            if exit_code is not None:
                row.exit_code = exit_code
            if handle is not None:
                row.handle = mask_secrets(handle)
            if run_dir is not None:
                row.run_dir = str(run_dir)
            session.flush()
            return _record(row)

    def get(self, run_id: str) -> RunRecord:
        with self.db.read() as session:
            return _record(self._row(session, run_id))

    def list(self, state: str | None = None, limit: int = 50) -> builtins.list[RunRecord]:
        """Newest first."""
        query = select(Run).order_by(Run.created_at.desc(), Run.id).limit(max(1, min(limit, 500)))
        if state is not None:
            query = query.where(Run.state == _check_state(state))
        with self.db.read() as session:
            return [_record(r) for r in session.scalars(query).all()]

    @staticmethod
    def _row(session: Any, run_id: str, *, lock: bool = False) -> Run:
        query = select(Run).where(Run.id == run_id)
        if lock:
            query = query.with_for_update()
        row = session.scalars(query).first()
        if row is None:
            raise NotFoundError(f"run '{run_id}' not found", hint="see `envyard job list`")
        assert isinstance(row, Run)  # noqa: S101
        return row
