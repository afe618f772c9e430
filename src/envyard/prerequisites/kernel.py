"""Kernel activation: the seam between a task role's environment and its bootstrap.

An environment's kernel is summarised by :class:`KernelPlan` (through
:mod:`envyard.launch.kernelspec` when it is installed, which also gives the cache key the local
launcher uses). In the bootstrap, ``envyard_activate_kernel`` uses, in order:
``$ENVYARD_KERNEL_PREFIX`` (a backend materialised it, e.g. the local backend through
:func:`envyard.launch.local.materialise`), ``$ENVYARD_KERNELS_DIR/<name>`` (baked into an
image), then creates a venv with uv (or ``python3 -m venv``) from the requirements written
into the script. ``mode="none"`` skips activation (Ray's runtime_env provides the packages).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from envyard.spec.environment import (
    CondaKernel,
    Environment,
    kernel_conda_packages,
    kernel_pip_requirements,
)

__all__ = ["KernelMode", "KernelPlan", "activation_line", "kernel_plan"]

KernelMode = Literal["activate", "none"]


@dataclass(frozen=True)
class KernelPlan:
    environment: str  # name@version
    name: str
    key: str
    python: str | None
    pip: tuple[str, ...]
    conda: tuple[str, ...]
    channels: tuple[str, ...] = ()


def _fallback_plan(env: Environment) -> KernelPlan:
    kernel = env.kernel
    python = kernel.python_version() if isinstance(kernel, CondaKernel) else None
    pip = tuple(r.strip() for r in kernel_pip_requirements(kernel) if r.strip())
    conda = tuple(kernel_conda_packages(kernel))
    name = kernel.name if isinstance(kernel, CondaKernel) and kernel.name else env.name
    digest = hashlib.sha256(json.dumps([python, pip, conda]).encode()).hexdigest()[:24]
    channels = tuple(kernel.channels) if isinstance(kernel, CondaKernel) else ()
    key = f"{digest}-py{python or 'any'}"
    return KernelPlan(_label(env), name, key, python, pip, conda, channels)


def _label(env: Environment) -> str:
    return f"{env.name}@{env.version}" if env.version else env.name


def kernel_plan(env: Environment) -> KernelPlan | None:
    """The kernel of ``env`` (None when it has none: the image provides Python)."""
    if env.kernel is None:
        return None
    try:
        from envyard.launch.kernelspec import kernel_spec
        from envyard.launch.local import cache_key
    except ImportError:  # the launcher is not installed: same content, our own key
        return _fallback_plan(env)
    spec = kernel_spec(env)
    if spec is None:
        return None
    return KernelPlan(
        _label(env),
        spec.name,
        cache_key(spec),
        spec.python,
        tuple(spec.pip),
        tuple(spec.conda),
        tuple(spec.channels),
    )


def activation_line(plan: KernelPlan, quote: Callable[[str], str]) -> str:
    """The bootstrap line activating ``plan`` (``quote`` is shlex.quote)."""
    words = [
        "envyard_activate_kernel",
        quote(plan.name),
        quote(plan.key),
        quote(plan.python or ""),
        "conda" if plan.conda else "venv",
        *[quote(r) for r in plan.pip],
    ]
    return " ".join(words)
