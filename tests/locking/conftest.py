"""Locks resolved for real against the session's pypiserver (``locking_index``), offline."""

from envyard.testing.lock_index import locking_index

__all__ = ["locking_index"]
