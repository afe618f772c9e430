"""Finding conda, mamba or micromamba, and the command that creates a conda kernel."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from envyard.errors import MissingDependencyError
from envyard.launch.kernelspec import KernelSpec
from envyard.launch.steps import Step

__all__ = ["conda_create_step", "find_conda", "require_conda"]

_TOOLS = ("micromamba", "mamba", "conda")
_ENV_VARS = ("ENVYARD_CONDA_EXE", "MAMBA_EXE", "CONDA_EXE")


def find_conda(env: Mapping[str, str] | None = None) -> str | None:
    """``ENVYARD_CONDA_EXE``, ``MAMBA_EXE``, ``CONDA_EXE``, then micromamba/mamba/conda on PATH."""
    env = os.environ if env is None else env
    for var in _ENV_VARS:
        value = env.get(var)
        if value and Path(value).is_file():
            return value
    for tool in _TOOLS:
        found = shutil.which(tool, path=env.get("PATH"))
        if found:
            return found
    return None


def require_conda(spec: KernelSpec, env: Mapping[str, str] | None = None) -> str:
    """The conda tool for *spec*, or MissingDependencyError naming what is missing."""
    tool = find_conda(env)
    if tool is None:
        packages = ", ".join(spec.conda)
        raise MissingDependencyError(
            f"kernel '{spec.name}' needs conda packages ({packages}), and none of "
            "micromamba, mamba or conda is installed",
            hint="install micromamba or conda and put it on PATH (or set ENVYARD_CONDA_EXE), "
            "or move these packages to the kernel's `pip:` list",
        )
    return tool


def conda_create_step(tool: str, spec: KernelSpec, prefix: Path) -> Step:
    """``<tool> create -y -p PREFIX --override-channels -c CH... python=X PKG...``."""
    argv = [tool, "create", "--yes", "--prefix", str(prefix)]
    if spec.channels:
        argv.append("--override-channels")
        for channel in spec.channels:
            argv += ["--channel", channel]
    if spec.python:
        argv.append(f"python={spec.python}")
    elif spec.pip:
        argv.append("python")
    argv += list(spec.conda)
    return Step(f"creating conda kernel {spec.name} with {Path(tool).name}", tuple(argv))
