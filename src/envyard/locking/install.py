"""Install a lock into a kernel directory: the one install path of every local kernel.

``env launch``, the local job backend (its supervisor) and notebook kernels all reach
:func:`install_steps` through :func:`envyard.launch.local.materialise`. The steps, in order:

1. conda packages of the host platform: ``python -m envyard.locking.rattler_child`` installs
   the exact records (URL + sha256) with py-rattler into the prefix, through the conda package
   cache (offline when every file is in it);
2. a Python: the conda ``python`` of the lock when it has one, else ``uv venv`` over the prefix
   with a local interpreter of the lock's Python X.Y (never downloaded);
3. pip packages: ``uv pip sync`` of a pylock.toml written from the lock (exact files, hashes
   checked), so nothing is resolved at install time.

The cache key is the lock hash (plus the platform), so versions with the same lock share one
kernel.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from envyard.launch.steps import Step
from envyard.locking.config import conda_cache

if TYPE_CHECKING:
    from envyard.launch.interpreters import Interpreter
    from envyard.locking.model import Lock

__all__ = ["PYLOCK", "RATTLER_REQUEST", "has_conda_python", "install_steps", "lock_key"]

PYLOCK = "pylock.envyard.toml"
RATTLER_REQUEST = "envyard-conda-request.json"


def lock_key(lock: Lock | str, platform: str) -> str:
    """The kernel cache directory name of *lock* (or of its lock hash) on *platform*."""
    from envyard.launch.cache import lock_key as key

    return key(lock if isinstance(lock, str) else lock.digest(), platform)


def has_conda_python(lock: Lock, platform: str) -> bool:
    return any(p.name == "python" for p in lock.for_platform(platform).conda)


def install_steps(
    lock: Lock,
    prefix: Path,
    *,
    platform: str,
    interpreter: Interpreter | None,
    env: Mapping[str, str],
    kernel: str = "kernel",
) -> list[Step]:
    """The commands that install *lock* into *prefix* (pure: nothing runs)."""
    from envyard.launch.uvtool import uv_binary
    from envyard.locking.conda import record_json
    from envyard.locking.pip import pylock_text

    packages = lock.for_platform(platform)
    uv = uv_binary()
    uv_env = {"UV_PYTHON_DOWNLOADS": "never"}
    steps: list[Step] = []
    if packages.conda:
        request = {
            "prefix": str(prefix),
            "cache_dir": str(conda_cache(env)),
            "platform": platform,
            "records": [record_json(p, env) for p in packages.conda],
        }
        path = prefix / RATTLER_REQUEST
        steps.append(
            Step(
                f"installing {len(packages.conda)} locked conda package(s) of kernel {kernel} "
                "with py-rattler",
                (sys.executable, "-m", "envyard.locking.rattler_child", str(path)),
                write_file=(str(path), json.dumps(request, indent=1)),
            )
        )
    python = prefix / "bin" / "python"
    if not has_conda_python(lock, platform):
        assert interpreter is not None  # noqa: S101 - callers find one when the lock has none
        steps.append(
            Step(
                f"creating kernel {kernel} (Python {interpreter.version}) with uv",
                (
                    uv,
                    "venv",
                    "--no-project",
                    "--allow-existing",
                    "--python",
                    str(interpreter.path),
                    str(prefix),
                ),
                uv_env,
            )
        )
    if packages.pip:
        pylock = prefix / PYLOCK
        steps.append(
            Step(
                f"installing {len(packages.pip)} locked pip package(s) with uv",
                (uv, "pip", "sync", "--python", str(python), str(pylock)),
                uv_env,
                write_file=(str(pylock), pylock_text(packages.pip, lock.python)),
            )
        )
    return steps
