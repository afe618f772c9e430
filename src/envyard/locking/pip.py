"""Resolve a kernel's pip requirements to exact files with ``uv pip compile`` (pylock.toml).

The requirement lines are written to a requirements file as they are, so the pip options a
requirements file may hold (``--index-url``, ``--extra-index-url``, ``--find-links``,
``--no-index``...) apply as pip applies them; relative ``--find-links`` paths are taken from
the working directory. ``-r``, ``-c`` and ``-e`` lines are refused: they would make the
resolver (possibly a server) read other files. A line that is not a requirement is named before
uv runs, and uv's messages name the kernel's pip lines, not the temporary file. uv resolves
once per platform (``--python-platform``) for the kernel's Python X.Y; interpreters are never
downloaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from envyard.errors import ResolveError, SpecError
from envyard.locking.config import PLATFORMS

if TYPE_CHECKING:  # pydantic models: imported while uv resolves (see resolve_pip)
    from envyard.locking.model import Artifact, PipPackage

__all__ = ["find_links", "index_sources", "pylock_text", "requirement_problem", "resolve_pip"]

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


_NAMED = re.compile(r"^[A-Za-z0-9]")  # a requirement by name (not an option, path or URL)


def requirement_problem(line: str) -> str | None:
    """Why pip could not read *line* as a requirement by name (None: it can, or the line is an
    option, a path or a URL, which pip reads in other ways)."""
    text = line.split(" #", 1)[0].split(" --", 1)[0].strip()
    archive = text.endswith((".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2"))
    if not text or not _NAMED.match(text) or "://" in text or "/" in text or archive:
        return None
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        Requirement(text)
    except InvalidRequirement as exc:
        return str(exc).splitlines()[0]
    return None


def _check_lines(lines: Sequence[str], kernel: str) -> None:
    for number, line in enumerate(lines, 1):
        problem = requirement_problem(line)
        if problem:
            raise ResolveError(
                f"kernel '{kernel}': pip line {number} '{line.strip()}' is not a requirement: "
                f"{problem}",
                hint="write it as pip would read it, e.g. six==1.16.0",
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


def find_links(requirements: Sequence[str], env: Mapping[str, str], cwd: Path) -> list[str]:
    """The find-links locations of the lines and ``UV_FIND_LINKS`` as the URL prefixes of the
    files found there (a folder, relative to *cwd*, as its ``file://`` URL)."""
    variable = [f"--find-links {value}" for value in env.get("UV_FIND_LINKS", "").split()]
    found = []
    for line in [*requirements, *variable]:
        match = _OPTION.match(line)
        if match and match.group(1) in {"--find-links", "-f"} and match.group(2):
            value = match.group(2)
            found.append(value if "://" in value else (cwd / value).resolve().as_uri())
    return [f"{_public(url).rstrip('/')}/" for url in found]


def _no_index(requirements: Sequence[str]) -> bool:
    return any((m := _OPTION.match(line)) and m.group(1) == "--no-index" for line in requirements)


def _source(entry: Mapping[str, Any], links: Sequence[str], no_index: bool) -> str:
    """``index`` or ``find-links``: where uv found the package of pylock.toml's *entry*."""
    if entry.get("index"):
        return "index"
    files = [*entry.get("wheels", []), *([entry["sdist"]] if entry.get("sdist") else [])]
    urls = [_public(str(f.get("url", ""))) for f in files]
    if no_index or any(url.startswith(tuple(links)) for url in urls if links):
        return "find-links"
    return "index"


def _artifact(data: Mapping[str, Any]) -> Artifact:
    from envyard.locking.model import Artifact

    hashes = data.get("hashes") or {}
    return Artifact(url=_public(str(data["url"])), sha256=str(hashes.get("sha256", "")),
                    size=data.get("size"))  # fmt: skip


def _packages(
    pylock: Mapping[str, Any], links: Sequence[str] = (), no_index: bool = False
) -> tuple[PipPackage, ...]:
    from envyard.locking.model import PipPackage

    found = []
    for entry in pylock.get("packages", []):
        sdist = entry.get("sdist")
        found.append(
            PipPackage(
                name=str(entry["name"]),
                version=str(entry["version"]),
                wheels=tuple(_artifact(w) for w in entry.get("wheels", [])),
                sdist=_artifact(sdist) if sdist else None,
                source=_source(entry, links, no_index),
            )
        )
    return tuple(sorted(found, key=lambda p: p.name))


def _explain(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(("Resolved", "warning:"))]
    return " ".join(useful[:6])[:800] or "uv gave no reason"


def _unnamed(text: str, source: Path) -> str:
    """uv's message without the temporary file's name (absolute or relative to the working
    directory): ``requirements.in:2:1`` is the kernel's pip line 2."""
    name = re.escape(f"{source.parent.name}/{source.name}")
    where = re.compile(r"`?[^\s`]*" + name + r"(?::(\d+)(?::\d+)?)?`?")
    return where.sub(
        lambda m: f"pip line {m.group(1)}" if m.group(1) else "the kernel's pip lines", text
    )


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
    _check_lines(requirements, kernel)
    lines = [_absolute_find_links(line.strip(), cwd) for line in requirements if line.strip()]
    with tempfile.TemporaryDirectory(prefix="envyard-lock-") as tmp:
        source = Path(tmp) / "requirements.in"
        source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        running: dict[str, tuple[subprocess.Popen[str], Path]] = {}
        try:
            for platform in platforms:  # every platform's uv at once; each waits on the index
                out = Path(tmp) / f"pylock.{platform.replace('-', '_')}.toml"
                argv = [
                    uv_binary(), "pip", "compile", str(source), "--format", "pylock.toml",
                    "-o", str(out), "--quiet", "--no-header", "--python-version", python,
                    "--python-platform", PLATFORMS[platform],
                    "--python", sys.executable,  # builds sdists if it must; never downloads one
                ]  # fmt: skip
                running[platform] = (_start(argv, env, cwd), out)
            # while uv resolves: the lock models (pydantic) and the TOML parser are loaded
            import tomllib

            from envyard.locking import model  # noqa: F401

            links, no_index = find_links(lines, env, cwd), _no_index(lines)
            result: dict[str, tuple[PipPackage, ...]] = {}
            for platform, (proc, out) in running.items():
                stdout, stderr = proc.communicate()
                if proc.returncode != 0:
                    raise ResolveError(
                        f"kernel '{kernel}': the pip requirements cannot be locked for "
                        f"{platform} (Python {python}): "
                        + _unnamed(_explain(stderr + stdout), source),
                        hint="fix the requirement named above (or the kernel's index options) "
                        "and try again",
                    )
                pylock = tomllib.loads(out.read_text(encoding="utf-8"))
                result[platform] = _packages(pylock, links, no_index)
            return result
        finally:
            for proc, _ in running.values():
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()


def _start(argv: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv,
        env={**env, "UV_PYTHON_DOWNLOADS": "never"},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
