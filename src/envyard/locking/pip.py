"""Resolve a kernel's pip requirements to exact files with ``uv pip compile`` (pylock.toml).

The requirement lines are written to a requirements file as they are, so the pip options a
requirements file may hold (``--index-url``, ``--extra-index-url``, ``--find-links``,
``--no-index``...) apply as pip applies them; relative ``--find-links`` paths are taken from
the working directory. ``-r``, ``-c`` and ``-e`` lines are refused: they would make the
resolver (possibly a server) read other files. uv resolves once per platform
(``--python-platform``) for the kernel's Python X.Y; interpreters are never downloaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from envyard.errors import ResolveError, SpecError
from envyard.locking.config import PLATFORMS
from envyard.locking.model import Artifact, PipPackage

__all__ = ["index_sources", "pylock_text", "resolve_pip"]

_OPTION = re.compile(
    r"^\s*(--index-url|-i|--extra-index-url|--find-links|-f|--no-index)(?:[\s=]+(\S+))?"
)
_PYPI = "https://pypi.org/simple"


def _public(url: str) -> str:
    """*url* without user:password (a lock is shown to everyone who can read the version)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_REFUSED = re.compile(r"^\s*(-r|--requirement|-c|--constraint|-e|--editable)\b")


def _refuse_file_options(lines: Sequence[str], kernel: str) -> None:
    """``-r``/``-c``/``-e`` would make the resolver (maybe a server) read other local files."""
    for number, line in enumerate(lines, 1):
        if _REFUSED.match(line):
            raise SpecError.at(
                "<input>",
                f"kernel '{kernel}': pip line {number} '{line.strip()}' reads another file; "
                "a kernel lists its requirements itself",
                field=f"kernel.pip[{number - 1}]",
                hint="put the requirements of that file in the kernel's list",
            )


def _absolute_find_links(line: str, cwd: Path) -> str:
    match = _OPTION.match(line)
    if not match or match.group(1) not in {"--find-links", "-f"} or not match.group(2):
        return line
    value = match.group(2)
    if "://" in value or Path(value).is_absolute():
        return line
    return f"--find-links {(cwd / value).resolve()}"


def index_sources(requirements: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """The indexes and find-links the lines (then uv's variables, then PyPI) point at."""
    sources: list[str] = []
    no_index = False
    primary: str | None = None
    for line in requirements:
        match = _OPTION.match(line)
        if not match:
            continue
        option, value = match.groups()
        if option == "--no-index":
            no_index = True
        elif option in {"--index-url", "-i"} and value:
            primary = value
        elif value:
            sources.append(value)
    primary = primary or env.get("UV_DEFAULT_INDEX") or env.get("UV_INDEX_URL") or _PYPI
    extra = [*env.get("UV_EXTRA_INDEX_URL", "").split(), *env.get("UV_FIND_LINKS", "").split()]
    found = ([] if no_index else [primary]) + sources + ([] if no_index else extra)
    return list(dict.fromkeys(_public(s) for s in found))


def _artifact(data: Mapping[str, Any]) -> Artifact:
    hashes = data.get("hashes") or {}
    return Artifact(url=_public(str(data["url"])), sha256=str(hashes.get("sha256", "")),
                    size=data.get("size"))  # fmt: skip


def _packages(pylock: Mapping[str, Any]) -> tuple[PipPackage, ...]:
    found = []
    for entry in pylock.get("packages", []):
        sdist = entry.get("sdist")
        found.append(
            PipPackage(
                name=str(entry["name"]),
                version=str(entry["version"]),
                wheels=tuple(_artifact(w) for w in entry.get("wheels", [])),
                sdist=_artifact(sdist) if sdist else None,
            )
        )
    return tuple(sorted(found, key=lambda p: p.name))


def _explain(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("Resolved", "warning:"))]
    return " ".join(useful[:6])[:800] or "uv gave no reason"


def resolve_pip(
    requirements: Sequence[str],
    *,
    python: str,
    platforms: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    kernel: str = "kernel",
) -> dict[str, tuple[PipPackage, ...]]:
    """``platform -> packages`` for *requirements* under Python *python* (``3.11``)."""
    from envyard.launch.uvtool import uv_binary

    _refuse_file_options(requirements, kernel)
    lines = [_absolute_find_links(line.strip(), cwd) for line in requirements if line.strip()]
    result: dict[str, tuple[PipPackage, ...]] = {}
    with tempfile.TemporaryDirectory(prefix="envyard-lock-") as tmp:
        source = Path(tmp) / "requirements.in"
        source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        for platform in platforms:
            out = Path(tmp) / f"pylock.{platform.replace('-', '_')}.toml"
            argv = [
                uv_binary(), "pip", "compile", str(source), "--format", "pylock.toml",
                "-o", str(out), "--quiet", "--no-header", "--python-version", python,
                "--python-platform", PLATFORMS[platform],
                "--python", sys.executable,  # builds sdists if it must; never downloads one
            ]  # fmt: skip
            done = subprocess.run(
                argv,
                env={**env, "UV_PYTHON_DOWNLOADS": "never"},
                cwd=cwd,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise ResolveError(
                    f"kernel '{kernel}': the pip requirements cannot be locked for {platform} "
                    f"(Python {python}): {_explain(done.stderr + done.stdout)}",
                    hint="fix the requirement named above (or the kernel's index options) "
                    "and try again",
                )
            result[platform] = _packages(tomllib.loads(out.read_text(encoding="utf-8")))
    return result


def _toml_string(value: str) -> str:
    import json

    return json.dumps(value)  # a JSON string is a valid TOML basic string


def _toml_artifact(artifact: Artifact) -> str:
    size = f", size = {artifact.size}" if artifact.size is not None else ""
    return (
        f"{{ url = {_toml_string(artifact.url)}{size}, "
        f"hashes = {{ sha256 = {_toml_string(artifact.sha256)} }} }}"
    )


def pylock_text(packages: Sequence[PipPackage], python: str | None) -> str:
    """A pylock.toml (PEP 751) of *packages*, what ``uv pip sync`` installs from."""
    lines = ['lock-version = "1.0"', 'created-by = "envyard"']
    if python:
        lines.append(f"requires-python = {_toml_string('>=' + python)}")
    for package in packages:
        lines += ["", "[[packages]]", f"name = {_toml_string(package.name)}"]
        lines.append(f"version = {_toml_string(package.version)}")
        if package.sdist is not None:
            lines.append(f"sdist = {_toml_artifact(package.sdist)}")
        if package.wheels:
            wheels = ", ".join(_toml_artifact(w) for w in package.wheels)
            lines.append(f"wheels = [{wheels}]")
    return "\n".join(lines) + "\n"
