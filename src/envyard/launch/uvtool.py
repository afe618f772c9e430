"""The ``uv`` binary Envyard runs (the one installed with the ``uv`` PyPI package)."""

from __future__ import annotations

import shutil
from functools import cache

from envyard.errors import MissingDependencyError

__all__ = ["uv_binary"]


@cache
def uv_binary() -> str:
    """Path of ``uv``: from the ``uv`` package (a dependency of Envyard), else ``PATH``."""
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found:
            return found
    raise MissingDependencyError(
        "uv is not installed; it materialises kernels", hint="pip install uv"
    )
