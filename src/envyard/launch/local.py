"""The ``local`` engine: materialise the kernel on this machine with uv, run the command in it.

Pip-only kernels become a venv made by ``uv venv`` + ``uv pip install``; kernels with conda
packages are created by micromamba/mamba/conda (whichever is installed) and their pip part is
then installed by uv. Interpreters are never downloaded (``UV_PYTHON_DOWNLOADS=never``).
Kernels are cached by content hash (:mod:`envyard.launch.cache`); a second launch of the same
kernel runs no installer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.errors import ExecutionError
from envyard.launch.cache import KernelCache
from envyard.launch.conda import conda_create_step, require_conda
from envyard.launch.foreground import run_foreground
from envyard.launch.interpreters import Interpreter, find_interpreter
from envyard.launch.kernelspec import KernelSpec
from envyard.launch.steps import Log, Step, run_step
from envyard.launch.uvtool import uv_binary

__all__ = [
    "Kernel",
    "LocalPlan",
    "build_steps",
    "cache_key",
    "kernel_env",
    "materialise",
    "plan",
    "run_command",
    "with_activation_hooks",
]

REQUIREMENTS = "envyard-requirements.txt"


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
    """``<content hash prefix>-py<python>``: the cache directory name of *spec*."""
    return f"{spec.content_hash[:24]}-py{_python_request(spec)}"


def _uv_env() -> dict[str, str]:
    return {"UV_PYTHON_DOWNLOADS": "never"}  # interpreters are local, always


def build_steps(
    spec: KernelSpec,
    prefix: Path,
    *,
    interpreter: Interpreter | None,
    conda_tool: str | None,
    refresh: bool = False,
) -> list[Step]:
    """The commands that create *spec* in *prefix* (pure: nothing runs)."""
    uv = uv_binary()
    uv_env = _uv_env()
    steps: list[Step] = []
    if spec.needs_conda:
        assert conda_tool is not None  # noqa: S101 - callers pass require_conda()'s result
        steps.append(conda_create_step(conda_tool, spec, prefix))
    else:
        assert interpreter is not None  # noqa: S101 - pip kernels always resolve one
        steps.append(
            Step(
                f"creating kernel {spec.name} (Python {interpreter.version}) with uv",
                (uv, "venv", "--no-project", "--python", str(interpreter.path), str(prefix)),
                uv_env,
            )
        )
    if spec.pip:
        requirements = prefix / REQUIREMENTS
        steps.append(
            Step(
                f"installing {len(spec.pip)} requirement(s) with uv",
                (
                    uv,
                    "pip",
                    "install",
                    "--python",
                    str(prefix / "bin" / "python"),
                    "--requirements",
                    str(requirements),
                    *(["--refresh"] if refresh else []),
                ),
                uv_env,
                write_file=(str(requirements), spec.requirements_txt()),
            )
        )
    return steps


@dataclass(frozen=True)
class LocalPlan:
    """What a local launch will do: reuse ``cached`` or run ``steps`` to build ``prefix``."""

    key: str
    prefix: Path
    cached: bool
    steps: tuple[Step, ...]
    interpreter: Interpreter | None
    conda_tool: str | None


def plan(
    spec: KernelSpec, cache_root: Path, env: Mapping[str, str], *, rebuild: bool = False
) -> LocalPlan:
    """Plan materialising *spec*: finds the interpreter or conda tool, runs nothing."""
    cache = KernelCache(cache_root)
    key = cache_key(spec)
    found = None if rebuild else cache.lookup(key)
    if found is not None:
        return LocalPlan(key, found.prefix, True, (), None, None)
    interpreter = None if spec.needs_conda else find_interpreter(spec.python, env)
    conda_tool = require_conda(spec, env) if spec.needs_conda else None
    prefix = cache_root / ".store" / f"{key}.NEW"
    steps = build_steps(
        spec, prefix, interpreter=interpreter, conda_tool=conda_tool, refresh=rebuild
    )
    return LocalPlan(key, prefix, False, tuple(steps), interpreter, conda_tool)


def materialise(
    spec: KernelSpec,
    cache_root: Path,
    *,
    env: Mapping[str, str] | None = None,
    log: Log = lambda _line: None,
    rebuild: bool = False,
) -> Kernel:
    """Return *spec* materialised under *cache_root*, building it on first use.

    ``rebuild`` builds a fresh copy even when one is cached (e.g. to pick up new releases
    of unpinned requirements) and publishes it in place of the old one.
    """
    base_env = dict(os.environ if env is None else env)
    planned = plan(spec, cache_root, base_env, rebuild=rebuild)
    if planned.cached:
        log(f"reusing kernel {spec.name} ({planned.prefix})")
        return Kernel(spec, planned.prefix, _kind(spec), True)
    interpreter, conda_tool = planned.interpreter, planned.conda_tool

    def build(prefix: Path) -> dict[str, Any]:
        steps = build_steps(
            spec, prefix, interpreter=interpreter, conda_tool=conda_tool, refresh=rebuild
        )
        for step in steps:
            run_step(step, base_env, cwd=cache_root, log=log)
        return {
            "kind": _kind(spec),
            "name": spec.name,
            "content_hash": spec.content_hash,
            "python": str(interpreter.path) if interpreter else None,
            "python_version": interpreter.version if interpreter else spec.python,
            "python_in_prefix": "bin/python" if interpreter else None,
            "pip": list(spec.pip),
            "conda": list(spec.conda),
            "conda_tool": conda_tool,
        }

    cache_root.mkdir(parents=True, exist_ok=True)
    cached, built = KernelCache(cache_root).get_or_build(planned.key, build, force=rebuild)
    if not built:
        log(f"reusing kernel {spec.name} ({cached.prefix}), built by a concurrent launch")
    return Kernel(spec, cached.prefix, _kind(spec), not built)


def _kind(spec: KernelSpec) -> str:
    return "conda" if spec.needs_conda else "venv"


def kernel_env(kernel: Kernel, base: Mapping[str, str]) -> dict[str, str]:
    """*base* with the kernel activated (PATH first, VIRTUAL_ENV or CONDA_PREFIX set)."""
    env = dict(base)
    env.pop("PYTHONHOME", None)
    bin_dir = str(kernel.prefix / "bin")
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
    if kernel.kind == "conda":
        env["CONDA_PREFIX"] = str(kernel.prefix)
        env["CONDA_DEFAULT_ENV"] = kernel.spec.name
        env.pop("VIRTUAL_ENV", None)
    else:
        env["VIRTUAL_ENV"] = str(kernel.prefix)
        env.pop("CONDA_PREFIX", None)
    env.update(dict(kernel.spec.variables))
    env["ENVYARD_KERNEL"] = kernel.spec.name
    env["ENVYARD_KERNEL_PREFIX"] = str(kernel.prefix)
    return env


_HOOKS = 'for f in "$1"/etc/conda/activate.d/*.sh; do [ -f "$f" ] && . "$f"; done; shift; exec "$@"'


def with_activation_hooks(command: Sequence[str], prefix: Path) -> list[str]:
    """*command*, behind a ``sh`` that sources the kernel's ``etc/conda/activate.d`` hooks.

    Conda packages use these hooks to set variables (CUDA paths, JAVA_HOME...); the
    bootstrap sources them the same way in containers. Without hooks, *command* as is.
    """
    hooks = prefix / "etc" / "conda" / "activate.d"
    if not hooks.is_dir() or not any(hooks.glob("*.sh")):
        return list(command)
    return ["/bin/sh", "-c", _HOOKS, "envyard-activate", str(prefix), *command]


def run_command(command: Sequence[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Run *command* (looked up on the kernel's PATH); return its exit code."""
    try:
        return run_foreground(command, env, cwd)
    except FileNotFoundError:
        raise ExecutionError(
            f"command not found in the kernel: {command[0]}",
            hint="install it in the kernel (add it to the kernel's requirements) or fix the name",
        ) from None
    except PermissionError as exc:
        raise ExecutionError(f"cannot run {command[0]}: {exc}") from None
