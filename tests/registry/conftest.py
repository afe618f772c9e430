"""Registry tests run on SQLite and on a real PostgreSQL cluster (``metastore_url``); kernels
are locked against a real local index (``locking_index``)."""

import pytest

from envyard.service.testing import metastore_url
from envyard.testing.conda_channel import conda_channel
from envyard.testing.lock_index import locking_index

__all__ = ["conda_channel", "locking_index", "metastore_url"]


@pytest.fixture(autouse=True)
def _kernels_lock_against_a_local_index(locking_index: object) -> None:
    """Every environment created here is locked for real, against the session's pypiserver."""
