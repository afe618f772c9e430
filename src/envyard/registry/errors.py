"""Registry-specific errors (light: no SQLAlchemy), shared by the service and the SDK."""

from __future__ import annotations

from envyard.errors import ConflictError


class PreconditionFailedError(ConflictError):
    """``If-Match`` did not match: someone changed the object since it was read (HTTP 412)."""
