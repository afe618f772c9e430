"""``/api/v1/runs``: read-only run records (backends write them in-process)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from envyard.registry.records import RunRecord
from envyard.service.deps import Reader, RegistryDep

router = APIRouter(prefix="/api/v1/runs", tags=["runs"])


@router.get("")
def list_runs(
    registry: RegistryDep,
    _who: Reader,
    state: Annotated[
        Literal["pending", "running", "succeeded", "failed", "cancelled"] | None, Query()
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[RunRecord]:
    """Newest first."""
    return registry.runs.list(state=state, limit=limit)


@router.get("/{run_id}")
def get_run(run_id: str, registry: RegistryDep, _who: Reader) -> RunRecord:
    return registry.runs.get(run_id)
