"""``/api/v1/runs``: run records (backends write them in-process) and their logs.

``GET /api/v1/runs/{id}/logs`` is ``text/plain``: every instance's output so far, each line
prefixed ``role[index]``; ``?follow=true`` streams new lines as they are written and ends when
the run has finished (like ``envyard job logs --follow``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, StreamingResponse

from envyard.jobs import runlogs
from envyard.registry.records import RunRecord
from envyard.registry.store import Registry
from envyard.service.deps import Reader, RegistryDep

router = APIRouter(prefix="/api/v1/runs", tags=["runs"])

_TEXT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {}}, "description": "The run's output."}
}


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
    return runlogs.refresh(registry, registry.runs.get(run_id))


@router.get(
    "/{run_id}/logs", response_class=PlainTextResponse, response_model=None, responses=_TEXT
)
async def run_logs(
    run_id: str,
    registry: RegistryDep,
    _who: Reader,
    follow: Annotated[bool, Query(description="Stream until the run has finished.")] = False,
) -> PlainTextResponse | StreamingResponse:
    """The run's output, secrets masked; with ``follow`` a stream of lines while it runs."""
    run = await run_in_threadpool(registry.runs.get, run_id)  # 404 before anything streams
    if not follow:
        text = await run_in_threadpool(runlogs.logs, run)
        return PlainTextResponse(text)
    return StreamingResponse(
        _stream(registry, run.id),
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _stream(registry: Registry, run_id: str) -> Iterator[str]:
    """Starlette iterates a sync generator in its threadpool: polling never blocks the loop."""
    yield from runlogs.follow(registry, run_id)
