"""Locking kernels to exact packages, and installing those locks (no conda binary anywhere).

=============================== ================================================================
module                          what
=============================== ================================================================
:mod:`.model`                   :class:`Lock`: the frozen lock model stored with each version
:mod:`.config`                  settings: platforms, the ``defaults`` channels, channel mirrors,
                                the conda package cache
:mod:`.pip`                     resolve the pip part with ``uv pip compile`` (pylock.toml)
:mod:`.conda`                   resolve and install conda packages with py-rattler
:mod:`.resolve`                 :func:`lock_kernel`: conda first, then pip against its Python
:mod:`.install`                 :func:`install_steps`: a lock into the cache keyed by its hash
:mod:`.rattler_child`           rattler's solve and install in a child process (exits with
                                ``os._exit``: py-rattler can crash at interpreter exit)
:mod:`.diff`                    package-level differences between two locks
:mod:`.search`                  does a lock satisfy ``pandas`` / ``torch>=2``?
=============================== ================================================================

The models are imported when first used (``envyard.locking.Lock``), so the cached re-launch
(:mod:`envyard.launch.fastpath`) can use :mod:`.config` and :mod:`.install`'s key without
loading pydantic.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Artifact", "CondaPackage", "Lock", "PipPackage", "PlatformLock"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from envyard.locking import model

        return getattr(model, name)
    raise AttributeError(f"module 'envyard.locking' has no attribute {name!r}")
