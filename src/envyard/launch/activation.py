"""A cached kernel activated and a command run in it (what every local launch does last).

Split from :mod:`envyard.launch.local` so the cached re-launch (:mod:`envyard.launch.fastpath`)
runs the command with the same activation without importing the installer code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from envyard.launch.foreground import run_foreground

__all__ = ["activated_env", "run_command", "with_activation_hooks"]


def activated_env(
    base: Mapping[str, str],
    prefix: Path,
    name: str,
    variables: Mapping[str, str],
    *,
    conda: bool,
) -> dict[str, str]:
    """*base* with the kernel in *prefix* activated (what :func:`kernel_env` returns)."""
    env = dict(base)
    env.pop("PYTHONHOME", None)
    env["PATH"] = os.pathsep.join([str(prefix / "bin"), env.get("PATH", os.defpath)])
    if conda:
        env["CONDA_PREFIX"] = str(prefix)
        env["CONDA_DEFAULT_ENV"] = name
        env.pop("VIRTUAL_ENV", None)
    else:
        env["VIRTUAL_ENV"] = str(prefix)
        env.pop("CONDA_PREFIX", None)
    env.update(variables)
    env["ENVYARD_KERNEL"] = name
    env["ENVYARD_KERNEL_PREFIX"] = str(prefix)
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
        from envyard.errors import ExecutionError

        raise ExecutionError(
            f"command not found in the kernel: {command[0]}",
            hint="install it in the kernel (add it to the kernel's requirements) or fix the name",
        ) from None
    except PermissionError as exc:
        from envyard.errors import ExecutionError

        raise ExecutionError(f"cannot run {command[0]}: {exc}") from None
