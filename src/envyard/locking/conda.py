"""Conda packages with py-rattler: solve specs to exact builds, and the records to install.

Solving (``rattler.solve``: repodata fetched and cached by rattler's gateway) and installing
both run in a child process (:mod:`envyard.locking.rattler_child`): py-rattler 0.28 can abort
the interpreter at exit after either (``PyGILState_Release``), which must never take the CLI or
the server down with it, nor turn a good result into a failure.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from envyard.errors import ResolveError
from envyard.locking.config import mirror, mirrors
from envyard.locking.model import CondaPackage

__all__ = ["package_of", "record_json", "solve_conda", "solve_in_process", "virtual_packages"]

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


def package_of(record: Any) -> CondaPackage:
    kind = record.noarch
    noarch: Literal["generic", "python"] | None = None
    if kind is not None and kind.generic:
        noarch = "generic"
    elif kind is not None and kind.python:
        noarch = "python"
    return CondaPackage(
        name=record.name.normalized,
        version=str(record.version),
        build=str(record.build),
        build_number=record.build_number,
        subdir=record.subdir,
        channel=str(record.channel).rstrip("/"),
        url=str(record.url),
        file_name=record.file_name,
        sha256=record.sha256.hex() if record.sha256 else "",
        md5=record.md5.hex() if record.md5 else None,
        size=record.size,
        depends=tuple(record.depends),
        constrains=tuple(record.constrains),
        noarch=noarch,
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
    """Exact builds for *specs* from *channels* (URLs) on *platform* + noarch.

    The solve runs in a child process (see :mod:`envyard.locking.rattler_child`).
    """
    import json
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    request = {
        "action": "solve",
        "channels": [mirror(url, env) for url in channels],
        "specs": list(specs),
        "platform": platform,
    }
    with tempfile.TemporaryDirectory(prefix="envyard-solve-") as tmp:
        path = Path(tmp) / "request.json"
        path.write_text(json.dumps(request), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "envyard.locking.rattler_child", str(path)],
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0 or not done.stdout.strip():
        detail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise ResolveError(
            f"kernel '{kernel}': the conda packages cannot be resolved for {platform} "
            f"({', '.join(specs)} from {', '.join(channels)}): {detail}",
            hint="fix the package or constraint named above, or the kernel's channels "
            "(ENVYARD_CONDA_DEFAULTS maps `defaults`, ENVYARD_CONDA_MIRRORS rewrites URLs)",
        )
    records = json.loads(done.stdout)
    packages = (_unmirrored(CondaPackage.model_validate(r), env) for r in records)
    return tuple(sorted(packages, key=lambda p: p.name))


def _unmirrored(package: CondaPackage, env: Mapping[str, str]) -> CondaPackage:
    return package.model_copy(
        update={"url": _unmirror(package.url, env), "channel": _unmirror(package.channel, env)}
    )


def solve_in_process(specs: Sequence[str], channels: Sequence[str], platform: str) -> list[Any]:
    """``rattler.solve`` itself (the child runs this); records as :class:`CondaPackage` JSON."""
    import rattler

    records = asyncio.run(
        rattler.solve(
            list(channels),
            list(specs),
            platforms=[rattler.Platform(platform), rattler.Platform("noarch")],
            virtual_packages=virtual_packages(platform),
        )
    )
    return [package_of(r).model_dump(mode="json") for r in records]


def record_json(package: CondaPackage, env: Mapping[str, str]) -> dict[str, Any]:
    """What :mod:`envyard.locking.rattler_child` needs to rebuild one repodata record."""
    data = package.model_dump(mode="json")
    data["url"] = mirror(package.url, env)
    data["channel"] = mirror(package.channel, env)
    return data
