"""OpenPAI's completion policy."""

from __future__ import annotations

import pytest

from envyard.backends.completion import job_outcome, role_succeeded


@pytest.mark.parametrize(
    ("codes", "completion", "ok"),
    [
        ([0, 0], None, True),
        ([0, 1], None, False),
        ([0, 1], {"minFailedInstances": 2}, False),  # all must still succeed
        ([0, 1], {"minFailedInstances": 2, "minSucceededInstances": 1}, True),
        ([0, 1, 1], {"minFailedInstances": 2, "minSucceededInstances": 1}, False),
        ([1, 1], {"minFailedInstances": -1, "minSucceededInstances": 1}, False),
        ([0, 1, 1], {"minFailedInstances": None, "minSucceededInstances": 1}, True),
    ],
)
def test_role(codes: list[int], completion: dict[str, int] | None, ok: bool) -> None:
    assert role_succeeded(codes, completion) is ok


def test_job_exit_code_is_the_first_failure() -> None:
    assert job_outcome({"a": [0], "b": [0, 7, 3]}, {}) == (False, 7)
    assert job_outcome(
        {"a": [0], "b": [0, 1]}, {"b": {"minSucceededInstances": 1, "minFailedInstances": -1}}
    ) == (True, 0)
