"""Find a local Python interpreter for a kernel; Envyard never downloads one.

Search order for a request such as ``3.10`` (or ``3.10.13``): the interpreter running
Envyard, ``pythonX.Y`` on ``PATH``, pyenv installations (``$PYENV_ROOT/versions``, default
``~/.pyenv/versions``), common system prefixes, and finally ``uv python find`` with downloads
disabled. pyenv *shims* are skipped: they fail for versions that are not activated.
:func:`newest_interpreter` is the newest of those places a conda range (``python>=3.8``) allows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import MissingDependencyError

__all__ = ["Interpreter", "find_interpreter", "matches", "newest_interpreter"]

_PROBE = "import sys; print('.'.join(map(str, sys.version_info[:3])))"


@dataclass(frozen=True)
class Interpreter:
    path: Path
    version: str  # "3.11.7"


def matches(version: str, request: str) -> bool:
    """``3.10.13`` matches ``3``, ``3.10`` and ``3.10.13``, not ``3.1`` or ``3.10.1``."""
    want = request.strip().split(".")
    return version.split(".")[: len(want)] == want


def _probe(path: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(path), "-c", _PROBE], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def _pyenv_roots(env: Mapping[str, str]) -> list[Path]:
    roots = [Path(env["PYENV_ROOT"])] if env.get("PYENV_ROOT") else []
    roots.append(Path.home() / ".pyenv")
    return roots


def _candidates(request: str, env: Mapping[str, str]) -> Iterator[Path]:
    parts = request.split(".")
    short = ".".join(parts[:2])
    names = [f"python{short}"] if len(parts) >= 2 else []
    names += ["python3", "python"]
    for directory in env.get("PATH", os.defpath).split(os.pathsep):
        if not directory or Path(directory).name == "shims":
            continue
        for name in names:
            yield Path(directory) / name
    for root in _pyenv_roots(env):
        versions = root / "versions"
        if versions.is_dir():
            for entry in sorted(versions.iterdir(), reverse=True):
                if matches(entry.name, request):
                    yield entry / "bin" / "python"
    for prefix in ("/usr/local/bin", "/usr/bin"):
        for name in names:
            yield Path(prefix) / name


def _uv_find(request: str, env: Mapping[str, str]) -> Path | None:
    from envyard.launch.uvtool import uv_binary

    run_env = {**env, "UV_PYTHON_DOWNLOADS": "never"}
    try:
        out = subprocess.run(
            [uv_binary(), "python", "find", "--no-project", request],
            capture_output=True,
            text=True,
            env=run_env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.stdout.strip()
    return Path(text) if out.returncode == 0 and text else None


def find_interpreter(request: str | None, env: Mapping[str, str] | None = None) -> Interpreter:
    """A local interpreter whose version matches *request* (None: the one running Envyard).

    Raises :class:`MissingDependencyError` naming the version and where it looked.
    """
    env = os.environ if env is None else env
    current = ".".join(map(str, sys.version_info[:3]))
    if request is None or matches(current, request):
        return Interpreter(Path(sys.executable), current)
    seen: set[Path] = set()
    for path in _candidates(request, env):
        if not path.is_file() or not os.access(path, os.X_OK):
            continue
        real = path.resolve()
        if real in seen:
            continue
        seen.add(real)
        version = _probe(path)
        if version and matches(version, request):
            return Interpreter(path, version)
    found = _uv_find(request, env)
    if found is not None:
        version = _probe(found)
        if version and matches(version, request):
            return Interpreter(found, version)
    raise MissingDependencyError(
        f"no local Python {request} interpreter found (searched PATH, pyenv versions, "
        "/usr/bin, /usr/local/bin and `uv python find`); Envyard never downloads interpreters",
        hint=f"install Python {request} (e.g. `pyenv install {request}` or your OS package), "
        "or change the kernel's python version",
    )


def _every_candidate(env: Mapping[str, str]) -> Iterator[Path]:
    yield Path(sys.executable)
    names = [f"python3.{minor}" for minor in range(30, 5, -1)] + ["python3", "python"]
    directories = [d for d in env.get("PATH", os.defpath).split(os.pathsep) if d]
    for directory in [*directories, "/usr/local/bin", "/usr/bin"]:
        if Path(directory).name != "shims":
            yield from (Path(directory) / name for name in names)
    for root in _pyenv_roots(env):
        versions = root / "versions"
        if versions.is_dir():
            yield from (entry / "bin" / "python" for entry in sorted(versions.iterdir()))


def _known_version(path: Path) -> str | None:
    """The version without running *path*: Envyard's own, or a pyenv folder's name."""
    if path == Path(sys.executable):
        return ".".join(map(str, sys.version_info[:3]))
    name = path.parent.parent.name
    is_pyenv = path.parent.parent.parent.name == "versions"
    return name if is_pyenv and all(p.isdigit() for p in name.split(".")) else None


def newest_interpreter(constraint: str, env: Mapping[str, str] | None = None) -> Interpreter:
    """The newest local interpreter the conda line *constraint* (``python>=3.8``) allows.

    Looks where :func:`find_interpreter` does (every ``python3.N`` name); conda's version
    rules are rattler's. Raises :class:`MissingDependencyError` when none is allowed.
    """
    from rattler import MatchSpec, Version, VersionSpec

    from envyard.errors import ResolveError

    env = os.environ if env is None else env
    try:
        text = MatchSpec(constraint.strip()).version
        allowed = VersionSpec(text) if text else VersionSpec("*")
    except Exception as exc:  # rattler's parse errors have no common base class
        raise ResolveError(
            f"the kernel's python line '{constraint}' is not a conda match spec: {exc}",
            hint="e.g. python>=3.10 or python=3.11",
        ) from None
    seen: set[Path] = set()
    found: list[tuple[Version, Interpreter]] = []
    for path in _every_candidate(env):
        if not path.is_file() or not os.access(path, os.X_OK) or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        version = _known_version(path) or _probe(path)
        if version and allowed.matches(Version(version)):
            found.append((Version(version), Interpreter(path, version)))
    if not found:
        raise MissingDependencyError(
            f"no local Python interpreter satisfies '{constraint}' (searched PATH, pyenv "
            "versions, /usr/bin and /usr/local/bin); Envyard never downloads interpreters",
            hint="install a Python it allows, or change the kernel's python line",
        )
    return max(found, key=lambda pair: pair[0])[1]
