"""Who writes through the local metastore when no token names them."""

from __future__ import annotations

import getpass

__all__ = ["local_actor"]


def local_actor() -> str:
    """``user:<login>``: who wrote something through the local metastore."""
    try:
        return f"user:{getpass.getuser()}"
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "user:unknown"
