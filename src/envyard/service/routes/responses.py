"""One version of a versioned kind as an HTTP response: the JSON, its ETag and lifecycle headers
(shared by the routes and the read fast path, :mod:`envyard.service.fastpath`)."""

from __future__ import annotations

from fastapi import Response

from envyard.registry.kinds import ENVIRONMENT, PREREQUISITE, VersionedRecord
from envyard.registry.records import EnvironmentRecord


def record_json(record: VersionedRecord) -> str:
    """The record's JSON as readers are shown it (an environment's URL credentials masked)."""
    kind = ENVIRONMENT if isinstance(record, EnvironmentRecord) else PREREQUISITE
    return kind.shown(record.model_dump_json())


def record_response(
    record: VersionedRecord, status: int = 200, body: bytes | None = None
) -> Response:
    """One version as JSON with its ETag and lifecycle headers (the fast path reuses these)."""
    headers = {"ETag": f'"{record.etag}"', "Cache-Control": "no-cache"}
    if record.state == "deprecated":
        headers["Deprecation"] = "true"
        if record.delete_on:
            headers["Sunset"] = record.delete_on.isoformat()
        if record.replaced_by:
            headers["Link"] = f'<{record.replaced_by}>; rel="successor-version"'
    content = body if body is not None else record_json(record)
    return Response(content, status_code=status, media_type="application/json", headers=headers)
