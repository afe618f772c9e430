"""Locking against a real index in tests: ``locking_index`` puts the packages the suite's
example kernels name (``six`` 1.16.0 and 1.17.0, tiny stand-ins) on the session's pypiserver
and points uv at it alone (no PyPI, no machine config), so creating an environment locks its
kernel for real, offline. Use it as an autouse fixture in a folder's ``conftest.py``::

    from envyard.testing.lock_index import locking_index

    pytestmark = pytest.mark.usefixtures("locking_index")   # or autouse in conftest
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from envyard.testing.pypi import PypiIndex
from envyard.testing.wheels import wheel_filename

__all__ = ["STAND_INS", "locking_index"]

STAND_INS = (("six", "1.16.0"), ("six", "1.17.0"))


@pytest.fixture
def locking_index(pypi_index: PypiIndex, monkeypatch: pytest.MonkeyPatch) -> Iterator[PypiIndex]:
    """The session pypiserver with :data:`STAND_INS`, and this process's uv pointed at it."""
    for name, version in STAND_INS:
        if not (pypi_index.packages_dir / wheel_filename(name, version)).exists():
            pypi_index.add_wheel(name, version)
    isolated = pypi_index.isolated_env()
    for key in [k for k in os.environ if k.startswith(("PIP_", "UV_"))]:
        monkeypatch.delenv(key)
    for key, value in isolated.items():
        if key.startswith(("PIP_", "UV_")):
            monkeypatch.setenv(key, value)
    yield pypi_index
