"""Conda packages with py-rattler: solve specs to exact builds, and the records to install.

Solving runs in-process (``rattler.solve``: repodata fetched and cached by rattler's gateway).
Installing runs in a child process (:mod:`envyard.locking.rattler_child`), so a crash of
py-rattler at interpreter exit can never take the caller down with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from envyard.errors import ResolveError
from envyard.locking.config import mirror, mirrors
from envyard.locking.model import CondaPackage

__all__ = ["record_json", "solve_conda", "virtual_packages"]

_VIRTUAL: dict[str, list[tuple[str, str, str]]] = {
    "linux": [("__unix", "0", "0"), ("__linux", "5.10", "0"), ("__glibc", "2.28", "0")],
    "osx": [("__unix", "0", "0"), ("__osx", "11.0", "0")],
    "win": [("__win", "0", "0")],
}
_ARCH = {"64": "x86_64", "aarch64": "aarch64", "arm64": "arm64"}


def virtual_packages(platform: str) -> list[Any]:
    """The system a platform's solve assumes (``__glibc``, ``__osx``... and ``__archspec``)."""
    from rattler import BuildString, GenericVirtualPackage, PackageName, Version

    family, _, arch = platform.partition("-")
    found = [
        GenericVirtualPackage(PackageName(name), Version(version), BuildString(build))
        for name, version, build in _VIRTUAL.get(family, [])
    ]
    archspec = _ARCH.get(arch)
    if archspec:
        found.append(
            GenericVirtualPackage(PackageName("__archspec"), Version("1"), BuildString(archspec))
        )
    return found


def _unmirror(url: str, env: Mapping[str, str]) -> str:
    for source, target in mirrors(env):
        if url == target or url.startswith(target + "/"):
            return source + url[len(target) :]
    return url


def _package(record: Any, env: Mapping[str, str]) -> CondaPackage:
    noarch = str(record.noarch.value) if record.noarch and record.noarch.value else None
    return CondaPackage(
        name=record.name.normalized,
        version=str(record.version),
        build=record.build,
        build_number=record.build_number,
        subdir=record.subdir,
        channel=_unmirror(str(record.channel).rstrip("/"), env),
        url=_unmirror(str(record.url), env),
        file_name=record.file_name,
        sha256=record.sha256.hex() if record.sha256 else "",
        md5=record.md5.hex() if record.md5 else None,
        size=record.size,
        depends=tuple(record.depends),
        constrains=tuple(record.constrains),
        noarch=noarch if noarch in {"generic", "python"} else None,
        license=record.license,
    )


def solve_conda(
    specs: Sequence[str],
    channels: Sequence[str],
    platform: str,
    *,
    env: Mapping[str, str],
    kernel: str = "kernel",
) -> tuple[CondaPackage, ...]:
    """Exact builds for *specs* from *channels* (URLs) on *platform* + noarch."""
    import rattler

    sources = [mirror(url, env) for url in channels]
    try:
        records = asyncio.run(
            rattler.solve(
                sources,
                list(specs),
                platforms=[rattler.Platform(platform), rattler.Platform("noarch")],
                virtual_packages=virtual_packages(platform),
            )
        )
    except Exception as exc:  # rattler raises SolverError, FetchRepoDataError, InvalidMatchSpec...
        detail = " ".join(str(exc).split())
        raise ResolveError(
            f"kernel '{kernel}': the conda packages cannot be resolved for {platform} "
            f"({', '.join(specs)} from {', '.join(channels)}): {detail}",
            hint="fix the package or constraint named above, or the kernel's channels "
            "(ENVYARD_CONDA_DEFAULTS maps `defaults`, ENVYARD_CONDA_MIRRORS rewrites URLs)",
        ) from None
    return tuple(sorted((_package(r, env) for r in records), key=lambda p: p.name))


def record_json(package: CondaPackage, env: Mapping[str, str]) -> dict[str, Any]:
    """What :mod:`envyard.locking.rattler_child` needs to rebuild one repodata record."""
    data = package.model_dump(mode="json")
    data["url"] = mirror(package.url, env)
    data["channel"] = mirror(package.channel, env)
    return data
