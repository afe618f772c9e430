"""OpenPAI's completion policy: when a task role (and so the job) succeeded or failed.

Per task role: ``minFailedInstances`` (default 1; null or -1: failures never fail the role)
and ``minSucceededInstances`` (default null or -1: every instance must succeed; n: n
successes are enough). A job succeeds when every task role does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["job_outcome", "role_succeeded"]


def role_succeeded(codes: Sequence[int | None], completion: Mapping[str, Any] | None) -> bool:
    rules = dict(completion or {})
    min_failed = rules.get("minFailedInstances", 1)
    min_succeeded = rules.get("minSucceededInstances")
    failed = sum(1 for c in codes if c != 0)
    succeeded = sum(1 for c in codes if c == 0)
    if min_failed not in (None, -1) and failed >= min_failed:
        return False
    if min_succeeded in (None, -1):
        return succeeded == len(codes)
    return bool(succeeded >= min_succeeded)


def job_outcome(
    codes: Mapping[str, Sequence[int | None]], completions: Mapping[str, Mapping[str, Any] | None]
) -> tuple[bool, int]:
    """(succeeded, exit code): the exit code is the first failing instance's, else 0."""
    ok = all(role_succeeded(c, completions.get(role)) for role, c in codes.items()) and bool(codes)
    failing = [c for cs in codes.values() for c in cs if c not in (0, None)]
    return ok, (0 if ok else (failing[0] if failing else 1))
