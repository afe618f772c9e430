"""Launching a command in an environment: install its kernel's lock, then run.

``local``: the version's lock is installed (py-rattler for conda packages, uv for the rest)
into the kernel cache under ``load_settings().kernel_cache``, keyed by the lock hash.
``podman``/``docker``: the environment's image runs with Envyard's bootstrap as entrypoint
(``IMAGE --kernel K -- CMD``), which creates or activates the kernel inside the container.
See ``docs/launch.md``.

The names below are imported when first used, so ``envyard.launch.fastpath`` (the cached
re-launch) loads no pydantic, SQLAlchemy or engine code.

============================ ===================================================================
module                       what
============================ ===================================================================
:mod:`.engines`              :func:`launch`, :func:`plan_launch` and the local engine
:mod:`.local`                :func:`materialise` (lock -> cached kernel), the local launch plan
:mod:`.fastpath`             a cached kernel of a local SQLite registry, launched with stdlib only
:mod:`.activation`           a kernel's activation (variables, hooks) and the command run in it
:mod:`.cache`                the kernel cache: atomic publication, locks, sweeping
:mod:`.kernelspec`           :class:`KernelSpec`: what a kernel's lock is resolved from
:mod:`.kernelname`           a kernel's name as a directory and shell word
:mod:`.interpreters`         local interpreters (never downloaded)
:mod:`.container`            the podman/docker engine; :mod:`.bootstrap` its entrypoint script
:mod:`.request`, :mod:`.steps` launch requests and plans; commands as data
:mod:`.foreground`           the command in the foreground, signals forwarded
:mod:`.uvtool`               the ``uv`` binary
============================ ===================================================================
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "Kernel",
    "KernelSpec",
    "LaunchPlan",
    "LaunchRequest",
    "get_engine",
    "kernel_spec",
    "launch",
    "materialise",
    "plan_launch",
]

_WHERE = {
    "get_engine": "engines", "launch": "engines", "plan_launch": "engines",
    "KernelSpec": "kernelspec", "kernel_spec": "kernelspec",
    "Kernel": "local", "materialise": "local",
    "LaunchPlan": "request", "LaunchRequest": "request",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f"envyard.launch.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'envyard.launch' has no attribute {name!r}")
