"""Documented commands lock kernels against a real local index (``locking_index``: the
session's pypiserver with the packages the examples name), never PyPI."""

import pytest

from envyard.testing.lock_index import locking_index

__all__ = ["locking_index"]


@pytest.fixture(autouse=True)
def _kernels_lock_against_a_local_index(locking_index: object) -> None:
    """Every block's environment inherits the index variables (``_environment`` copies them)."""
