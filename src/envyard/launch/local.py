"""The ``local`` engine: install the kernel's lock on this machine, run the command in it.

Every local kernel is installed from a :class:`~envyard.locking.Lock` by
:func:`envyard.locking.install.install_steps` (py-rattler for conda packages, ``uv venv`` and
``uv pip sync`` for the rest: no conda, mamba or micromamba). A registry version brings the lock
stored with it; a spec without one (``env launch -f``, a notebook's inline environment) is
locked on first use and that lock is kept under ``<cache>/.spec-locks`` by the spec's content
hash (``--rebuild`` locks it again). Kernels are cached by lock hash
(:mod:`envyard.launch.cache`); a second launch of the same lock runs no installer.
Interpreters are never downloaded (``UV_PYTHON_DOWNLOADS=never``).
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envyard.launch.activation import activated_env, run_command, with_activation_hooks
from envyard.launch.cache import KernelCache
from envyard.launch.interpreters import Interpreter, find_interpreter
from envyard.launch.steps import Log, Step, run_step

if TYPE_CHECKING:
    from envyard.launch.kernelspec import KernelSpec
    from envyard.locking.model import Lock

__all__ = [
    "Kernel",
    "LocalPlan",
    "activated_env",
    "cache_key",
    "kernel_env",
    "kernel_lock",
    "materialise",
    "plan",
    "run_command",
    "with_activation_hooks",
]


@dataclass(frozen=True)
class Kernel:
    """A materialised kernel: its directory, kind (``venv``/``conda``), whether it was reused."""

    spec: KernelSpec
    prefix: Path
    kind: str
    reused: bool


def _python_request(spec: KernelSpec) -> str:
    return spec.python or f"{sys.version_info.major}.{sys.version_info.minor}"


def cache_key(spec: KernelSpec) -> str:
    """``<content hash prefix>-py<python>``: the spec's key (container kernel specs use it)."""
    return f"{spec.content_hash[:24]}-py{_python_request(spec)}"


def kernel_lock(
    spec: KernelSpec,
    cache_root: Path,
    env: Mapping[str, str],
    *,
    lock: Lock | None = None,
    rebuild: bool = False,
) -> Lock:
    """*lock*, else the lock kept for *spec*'s content, else a new one (kept for next time)."""
    from envyard.locking.config import host_platform
    from envyard.locking.model import Lock
    from envyard.locking.resolve import lock_kernel

    if lock is not None:
        return lock
    kept = cache_root / ".spec-locks" / f"{spec.content_hash[:32]}-{host_platform()}.json"
    if not rebuild:
        try:
            return Lock.model_validate_json(kept.read_bytes())
        except (OSError, ValueError):
            pass
    made = lock_kernel(spec, platforms=[host_platform()], env=env)
    kept.parent.mkdir(parents=True, exist_ok=True)
    tmp = kept.with_name(f".{kept.name}.{secrets.token_hex(4)}")
    tmp.write_text(made.model_dump_json(), encoding="utf-8")
    tmp.replace(kept)
    return made


@dataclass(frozen=True)
class LocalPlan:
    """What a local launch will do: reuse ``cached`` or run ``steps`` to build ``prefix``."""

    key: str
    prefix: Path
    cached: bool
    steps: tuple[Step, ...]
    interpreter: Interpreter | None
    lock: Lock


def _interpreter(lock: Lock, platform: str, env: Mapping[str, str]) -> Interpreter | None:
    from envyard.locking.install import has_conda_python

    return None if has_conda_python(lock, platform) else find_interpreter(lock.python, env)


def plan(
    spec: KernelSpec,
    cache_root: Path,
    env: Mapping[str, str],
    *,
    rebuild: bool = False,
    lock: Lock | None = None,
) -> LocalPlan:
    """Plan materialising *spec* from its lock (locking it first when it has none)."""
    from envyard.locking.config import host_platform
    from envyard.locking.install import install_steps, lock_key

    locked = kernel_lock(spec, cache_root, env, lock=lock, rebuild=rebuild)
    platform = host_platform()
    key = lock_key(locked, platform)
    found = None if rebuild else KernelCache(cache_root).lookup(key)
    if found is not None:
        return LocalPlan(key, found.prefix, True, (), None, locked)
    interpreter = _interpreter(locked, platform, env)
    prefix = cache_root / ".store" / f"{key}.NEW"
    steps = install_steps(
        locked, prefix, platform=platform, interpreter=interpreter, env=env, kernel=spec.name
    )
    return LocalPlan(key, prefix, False, tuple(steps), interpreter, locked)


def materialise(
    spec: KernelSpec,
    cache_root: Path,
    *,
    env: Mapping[str, str] | None = None,
    log: Log = lambda _line: None,
    rebuild: bool = False,
    lock: Lock | None = None,
) -> Kernel:
    """Return *spec* installed from its lock under *cache_root*, installing on first use.

    ``lock`` is the version's stored lock (None: the spec is locked here, see
    :func:`kernel_lock`). ``rebuild`` installs a fresh copy even when one is cached and, for a
    spec without a stored lock, resolves it again (new releases of unpinned requirements).
    """
    from envyard.locking.config import host_platform
    from envyard.locking.install import install_steps

    base_env = dict(os.environ if env is None else env)
    cache = KernelCache(cache_root)
    if lock is not None and not rebuild:  # the hot path: one symlink and one JSON read
        from envyard.locking.install import lock_key

        found = cache.lookup(lock_key(lock, host_platform()))
        if found is not None:
            log(f"reusing kernel {spec.name} ({found.prefix})")
            return Kernel(spec, found.prefix, _kind(lock), True)
    planned = plan(spec, cache_root, base_env, rebuild=rebuild, lock=lock)
    locked = planned.lock
    if planned.cached:
        log(f"reusing kernel {spec.name} ({planned.prefix})")
        return Kernel(spec, planned.prefix, _kind(locked), True)
    interpreter, platform = planned.interpreter, host_platform()

    def build(prefix: Path) -> dict[str, Any]:
        steps = install_steps(
            locked, prefix, platform=platform, interpreter=interpreter, env=base_env,
            kernel=spec.name,
        )  # fmt: skip
        for step in steps:
            run_step(step, base_env, cwd=cache_root, log=log)
        return {
            "kind": _kind(locked),
            "name": spec.name,
            "lock_hash": locked.digest(),
            "spec_hash": locked.spec_hash,
            "platform": platform,
            "python": str(interpreter.path) if interpreter else None,
            "python_version": interpreter.version if interpreter else locked.python,
            "python_in_prefix": "bin/python",
            "packages": {n: v for n, (v, _src) in locked.packages(platform).items()},
        }

    cache_root.mkdir(parents=True, exist_ok=True)
    cached, built = cache.get_or_build(planned.key, build, force=rebuild)
    if not built:
        log(f"reusing kernel {spec.name} ({cached.prefix}), built by a concurrent launch")
    return Kernel(spec, cached.prefix, _kind(locked), not built)


def _kind(lock: Lock) -> str:
    from envyard.locking.config import host_platform

    platform = lock.platforms.get(host_platform())
    return "conda" if platform is not None and platform.conda else "venv"


def kernel_env(kernel: Kernel, base: Mapping[str, str]) -> dict[str, str]:
    """*base* with the kernel activated (PATH first, VIRTUAL_ENV or CONDA_PREFIX set)."""
    return activated_env(
        base, kernel.prefix, kernel.spec.name, dict(kernel.spec.variables),
        conda=kernel.kind == "conda",
    )  # fmt: skip
