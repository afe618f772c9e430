"""Lock a kernel: conda packages first (py-rattler), then pip ones (uv) against its Python.

The Python the pip part is resolved for: the conda ``python`` package when the kernel's conda
part locks one, else the X.Y of the kernel's ``python`` line (``python>=3.8``: the newest local
interpreter it allows), else the Python running Envyard. A kernel whose conda part is only
``python`` and ``pip`` (plus ``pip:``) is a pip kernel on a local interpreter, as before locks
existed; its ``pip`` line is one of its pip requirements.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from envyard.locking.config import channel_urls, lock_platforms

if TYPE_CHECKING:  # the models (pydantic) load while uv resolves (see locking.pip)
    from envyard.launch.kernelspec import KernelSpec
    from envyard.locking.model import CondaPackage, Lock, PipPackage

__all__ = ["conda_specs", "lock_kernel", "spec_hash"]


def spec_hash(spec: KernelSpec) -> str:
    return "sha256:" + spec.content_hash


def conda_specs(spec: KernelSpec) -> list[str]:
    """The match specs solved for *spec*: its ``python`` line as conda reads it
    (``python>=3.8``: the newest allowed; ``python=3.11``: ``python 3.11.*``), then the rest."""
    if not spec.conda:
        return []
    if spec.python_spec:
        python = [_match_spec(spec.python_spec)]
    else:
        python = [f"python {spec.python}.*"] if spec.python else []
    return [*python, *(_match_spec(p) for p in spec.conda)]


_EXPORT_FORM = re.compile(r"^([A-Za-z0-9_.+-]+)=([^=<>!~ ]+)(?:=([^=<>!~ ]+))?$")


def _match_spec(dependency: str) -> str:
    """A conda dependency line as the match spec rattler's strict parser reads with conda's
    meaning: ``name=1.2=build`` (every ``conda env export`` line) -> ``name ==1.2 build`` (that
    version exactly, that build; ``name 1.2*`` when the version has a wildcard); ``name=1.2``
    (conda's fuzzy ``=``) -> ``name 1.2.*``; any other form (``name>=1``...) as written."""
    match = _EXPORT_FORM.match(dependency.strip())
    if not match:
        return dependency
    name, version, build = match.groups()
    if build:
        exact = version if "*" in version else f"=={version}"
        return f"{name} {exact} {build}"
    fuzzy = version if version.endswith("*") else f"{version}.*"
    return f"{name} {fuzzy}"


def _python_of(packages: Sequence[CondaPackage]) -> str | None:
    for package in packages:
        if package.name == "python":
            return ".".join(package.version.split(".")[:2])
    return None


def _local_python(spec: KernelSpec, env: Mapping[str, str]) -> str:
    """The Python X.Y of a kernel without a conda ``python``: a local interpreter's.

    ``python=3.11.9=<build>`` (an export) asks for 3.11 (its exact build comes from a conda
    channel only, and a kernel whose conda part is python and pip is built on a local
    interpreter); ``python>=3.8`` for the newest local interpreter it allows.
    """
    if spec.python:
        return ".".join(spec.python.split(".")[:2])
    if spec.python_spec:
        from envyard.launch.interpreters import newest_interpreter

        found = newest_interpreter(spec.python_spec, env)
        return ".".join(found.version.split(".")[:2])
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def lock_kernel(
    spec: KernelSpec,
    *,
    platforms: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Lock:
    """Resolve *spec* to a :class:`Lock` for the configured platforms plus *platforms*."""
    from envyard.locking.pip import index_sources, resolve_pip

    values = dict(os.environ if env is None else env)
    chosen = lock_platforms(platforms, values)
    channels = channel_urls(spec.channels, values) if spec.conda else []
    if spec.conda and not channels:
        from envyard.errors import ResolveError

        raise ResolveError(
            f"kernel '{spec.name}': its channels ({', '.join(spec.channels)}) name no channel "
            f"to take {', '.join(spec.conda)} from ('nodefaults' only leaves `defaults` out)",
            hint="list the channels the packages come from, e.g. channels: [conda-forge, "
            "nodefaults]",
        )
    conda: dict[str, tuple[CondaPackage, ...]] = {}
    if spec.conda:  # a pip kernel never loads the conda module (asyncio, rattler's wrappers)
        from envyard.locking.conda import solve_conda

        for platform in chosen:
            conda[platform] = solve_conda(
                conda_specs(spec), channels, platform, env=values, kernel=spec.name
            )
    first = conda.get(chosen[0], ())
    python = _python_of(first) or _local_python(spec, values)
    pip: dict[str, tuple[PipPackage, ...]] = {}
    if spec.pip:
        pip = resolve_pip(
            spec.pip,
            python=python,
            platforms=chosen,
            env=values,
            cwd=cwd or Path.cwd(),
            kernel=spec.name,
        )
    from envyard.locking.model import Lock, PlatformLock

    return Lock(
        spec_hash=spec_hash(spec),
        python=python,
        channels=tuple(channels),
        indexes=tuple(index_sources(spec.pip, values)) if spec.pip else (),
        platforms={p: PlatformLock(conda=conda.get(p, ()), pip=pip.get(p, ())) for p in chosen},
    )
