# ruff: noqa: PTH118, PTH120 - os.path on strings: thousands of references, no Path objects
"""Which files a submission stages: the specs named, what they expand to, what they reference.

- a file: a component, job or environment spec (must be YAML); a *pipeline* YAML (one with
  ``module_loader.local_steps_folder`` or ``module_loader.components``) stands for the
  component specs it uses — those listed in ``module_loader.components`` (relative to the steps
  folder, else to the pipeline), or else every component spec under the steps folder
  (``spec.yaml``, ``component_spec.yaml``, ``*.spec.yaml``, ``*_spec.yaml``, also ``.yml``) —
  and is itself copied unchanged so the staged pipeline still finds its components;
- a folder: every ``.yaml``/``.yml`` file under it (hidden folders skipped);
- a glob (``components/*/spec.yaml``, ``**`` allowed), relative to the working directory.

Referenced files are followed: the values of ``conda_dependencies_file``, ``conda_file``,
``conda`` (when a path), ``pip_requirements_file``, ``requirements_file``, ``environment_file``,
``dockerfile``, ``code`` and ``additional_includes`` are paths relative to the spec. A referenced
YAML file gets the rules too (a conda file's package index); other files and folders are copied
as they are. References must stay inside the project (the working directory, or the common
folder of the inputs) and must exist.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envyard.errors import NotFoundError, SpecError
from envyard.overrides.editing.nodes import YamlText, parse_yaml
from envyard.overrides.matching.rules import NESTED
from envyard.overrides.staging import fsio
from envyard.overrides.staging.pipelines import YAML_SUFFIXES, pipeline_components, repository
from envyard.spec.diagnose import format_path
from envyard.yamlio.source import MAX_SPEC_BYTES, display_path, read_spec_text

REF_KEYS = frozenset(
    {
        "conda_dependencies_file",
        "conda_file",
        "conda",
        "pip_requirements_file",
        "requirements_file",
        "environment_file",
        "dockerfile",
        "code",
        "additional_includes",
    }
)
PACKAGE_KEYS = frozenset(
    {
        "conda_dependencies_file",
        "conda_file",
        "conda",
        "pip_requirements_file",
        "requirements_file",
        "environment_file",
    }
)
"""References to package files (``remove_polymer_pkg_idx`` drops index lines from them)."""
MAX_DEPTH = 8
_BOM = b"\xef\xbb\xbf"


@dataclass
class Item:
    """One file or folder to stage. ``rules``: apply the profile (else copy unchanged).

    ``real`` is the absolute path as reached (symlinks kept, ``..`` folded).
    """

    real: Path
    rules: bool
    doc: YamlText | None = None
    bom: bool = False
    referenced: bool = False
    """Reached through a reference: rules change existing fields only (never create)."""
    raw: bytes | None = None
    is_dir: bool = False
    package_file: bool = False
    """Referenced as a conda or pip requirements file."""


@dataclass
class Scope:
    base: Path
    cwd: Path
    real_base: Path = Path("/")
    items: dict[Path, Item] = field(default_factory=dict)
    given: dict[Path, Path] = field(default_factory=dict)
    """Each path as the caller wrote it (specs, pipeline components) -> its real path."""
    pipelines: set[Path] = field(default_factory=set)
    """The pipeline YAMLs named: copied as they are (their components are staged)."""
    truncated: bool = False
    """References were not followed past :data:`MAX_DEPTH` somewhere (see ``parallel``)."""
    resolver: fsio.Resolver = field(default_factory=fsio.Resolver)


Primary = tuple[Path, Path, "tuple[YamlText, bool] | None"]
"""A spec to stage as the caller named it (or a pipeline's component), its real path, and its
parsed text when it was read already."""


def collect(specs: Sequence[Path | str], cwd: Path) -> Scope:
    """Expand ``specs`` and follow references; raises before anything is written."""
    scope, primary = prepare(specs, cwd)
    fill(scope, primary)
    return scope


def prepare(specs: Sequence[Path | str], cwd: Path) -> tuple[Scope, list[Primary]]:
    """An empty scope (its base folder decided) and the specs to fill it with, in order."""
    written = _expand(specs, cwd)
    if not written:
        raise NotFoundError("no spec files to stage", hint="name spec files, folders or globs")
    primary: list[Primary] = []  # given, real, loaded
    loaded: dict[Path, tuple[YamlText, bool]] = {}
    given_reals = [fsio.lexical(p if p.is_absolute() else cwd / p) for p in written]
    project = cwd  # what the user named decides the project; a pipeline may not widen it
    if not all(fsio.inside(str(r), str(project)) for r in given_reals):
        project = Path(os.path.commonpath([str(r.parent) for r in given_reals]))
    pipelines: set[Path] = set()
    resolver = fsio.Resolver()  # told what the folder walks saw
    for path in written:
        real = fsio.lexical(path if path.is_absolute() else cwd / path)
        if real not in loaded:
            loaded[real] = _load(real, cwd)
        components = pipeline_components(
            loaded[real][0], real, repository(real) or project, resolver
        )
        if components is None:
            primary.append((path, real, loaded[real]))
            continue
        pipelines.add(real)
        primary.append((path, real, None))  # the pipeline itself: copied as it is
        primary.extend((component, component, None) for component in components)
    primary = [
        (given, real, loaded.get(real) if doc is None and real not in pipelines else doc)
        for given, real, doc in primary
    ]
    reals = [real for _, real, _ in primary]
    base = cwd
    if not all(fsio.inside(str(r), str(base)) for r in reals):
        base = Path(os.path.commonpath([str(r.parent) for r in reals]))
    return Scope(base, cwd, base.resolve(), pipelines=pipelines, resolver=resolver), primary


def fill(scope: Scope, primary: Sequence[Primary]) -> None:
    """Add ``primary`` and everything they reference to ``scope``, in order."""
    for given, real, doc in primary:
        scope.given.setdefault(given, real)
        if real in scope.items:
            continue
        if doc is None and real in scope.pipelines:
            scope.items[real] = Item(real, rules=False, raw=real.read_bytes())
        else:
            _add(scope, real, doc or _load(real, scope.cwd), depth=0)


def _expand(specs: Sequence[Path | str], cwd: Path) -> list[Path]:
    out: list[Path] = []
    for spec in specs:
        text = str(spec)
        if any(c in text for c in "*?[") and not (cwd / text).exists():
            absolute = Path(text).is_absolute()
            pattern = text if absolute else str(cwd / text)
            found = sorted(Path(p) for p in glob.glob(pattern, recursive=True))  # noqa: PTH207
            files = [p if absolute else p.relative_to(cwd) for p in found if p.is_file()]
            if not files:
                raise NotFoundError(f"'{text}' matches no file", hint="check the glob pattern")
            out.extend(files)
            continue
        path = Path(spec)
        full = path if path.is_absolute() else cwd / path
        if full.is_dir():
            out.extend(p if path.is_absolute() else p.relative_to(cwd) for p in _yaml_files(full))
        else:
            out.append(path)
    return out


def _yaml_files(folder: Path) -> Iterator[Path]:
    return (Path(p) for p in fsio.walk_files(str(folder), YAML_SUFFIXES))


def _load(path: Path, cwd: Path) -> tuple[YamlText, bool]:
    full, folder = str(path), str(cwd)
    shown = full[len(folder) + 1 :] if full.startswith(folder + "/") else full
    text, bom = read_text(path)
    return parse_yaml(text, shown or full), bom


def read_text(path: Path) -> tuple[str, bool]:
    """A spec's text and whether it started with a UTF-8 BOM (written back as it was).

    Anything unusual (missing, binary, too big, not UTF-8) goes through
    :func:`envyard.yamlio.source.read_text` for its precise error.
    """
    try:
        raw = fsio.read_bytes(str(path), MAX_SPEC_BYTES)
        if raw is not None and len(raw) <= MAX_SPEC_BYTES and b"\x00" not in raw[:8192]:
            bom = raw.startswith(_BOM)  # (the utf-8-sig codec is Python code: slower)
            return (raw[3:] if bom else raw).decode("utf-8"), bom
    except (OSError, UnicodeDecodeError):
        pass
    return read_spec_text(path), False


def _add(scope: Scope, real: Path, loaded: tuple[YamlText, bool], depth: int) -> None:
    doc, bom = loaded
    scope.items[real] = Item(real, rules=True, doc=doc, bom=bom, referenced=depth > 0)
    if depth >= MAX_DEPTH:
        scope.truncated = True
        return
    folder = os.path.dirname(str(real))
    base, real_base = str(scope.base), str(scope.real_base)
    for location, value in _references(doc.data, ()):
        name = os.path.normpath(os.path.join(folder, value))
        resolved, is_dir = scope.resolver.resolve(name)
        if not (fsio.inside(resolved, real_base) and fsio.inside(name, base)):
            line, col = doc.position(location)
            raise SpecError.at(
                doc.file,
                f"'{value}' points outside the project ({display_path(scope.base)})",
                line=line,
                col=col,
                field=format_path(location),
                hint="referenced files must live under the project folder",
            )
        if is_dir is None:
            line, col = doc.position(location)
            raise SpecError.at(
                doc.file,
                f"referenced file '{value}' does not exist",
                line=line,
                col=col,
                field=format_path(location),
                hint=f"paths are relative to {display_path(real.parent)}",
            )
        target = Path(name)
        package = _reference_key(location) in PACKAGE_KEYS
        if target in scope.items:
            scope.items[target].referenced = True  # also named directly: still a reference
            scope.items[target].package_file |= package
            continue
        if is_dir:
            scope.items[target] = Item(target, rules=False, is_dir=True)
        elif name.endswith(YAML_SUFFIXES):
            _add(scope, target, _load(target, scope.cwd), depth + 1)
            scope.items[target].package_file = package
        else:
            raw = target.read_bytes()
            scope.items[target] = Item(target, rules=False, raw=raw, package_file=package)


def _reference_key(location: tuple[Any, ...]) -> Any:
    """The key naming a reference: ``conda_file`` for ``(..., 'conda_file')`` or a list item."""
    return location[-1] if not isinstance(location[-1], int) else location[-2]


def _references(data: Any, location: tuple[str | int, ...]) -> list[tuple[Any, str]]:
    """(location, path) of every reference in ``data``, in document order."""
    out: list[tuple[Any, str]] = []
    _find_references(data, location, out)
    return out


def _find_references(data: Any, location: tuple[Any, ...], out: list[tuple[Any, str]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in REF_KEYS:
                if isinstance(value, str):
                    if _looks_like_path(value):
                        out.append(((*location, key), value))
                    continue
                if isinstance(value, list):
                    out.extend(
                        ((*location, key, i), item)
                        for i, item in enumerate(value)
                        if isinstance(item, str) and _looks_like_path(item)
                    )
                    continue
            if isinstance(value, NESTED):
                _find_references(value, (*location, key), out)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, NESTED):
                _find_references(item, (*location, i), out)


def _looks_like_path(value: str) -> bool:
    return bool(value) and "\n" not in value and ":" not in value
