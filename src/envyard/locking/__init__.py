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
:mod:`.install`                 :func:`install_lock`: a lock into the cache keyed by its hash
:mod:`.rattler_child`           the rattler install run in a child process (exits with
                                ``os._exit``: py-rattler can crash at interpreter exit)
:mod:`.diff`                    package-level differences between two locks
:mod:`.search`                  does a lock satisfy ``pandas`` / ``torch>=2``?
=============================== ================================================================
"""

from envyard.locking.model import Artifact, CondaPackage, Lock, PipPackage, PlatformLock

__all__ = ["Artifact", "CondaPackage", "Lock", "PipPackage", "PlatformLock"]
