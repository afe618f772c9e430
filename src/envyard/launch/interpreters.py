"""Find a local Python interpreter for a kernel; Envyard never downloads one.

Search order for a request such as ``3.10`` (or ``3.10.13``): the interpreter running
Envyard, ``pythonX.Y`` on ``PATH``, pyenv installations (``$PYENV_ROOT/versions``, default
``~/.pyenv/versions``), common system prefixes, and finally ``uv python find`` with downloads
disabled. pyenv *shims* are skipped: they fail for versions that are not activated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from envyard.errors import MissingDependencyError

__all__ = ["Interpreter", "find_interpreter", "matches"]

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
