"""Find every ``asset.yaml`` below a root and load it with its environment and spec files.

Discovery never stops at the first broken file: each problem becomes a diagnostic (rule
AST001) and the remaining assets are still loaded.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.discovery.model import Asset
from envyard.assets.fsutil import shown
from envyard.errors import Diagnostic, NotFoundError, SpecError
from envyard.yamlio import Document, parse
from envyard.yamlio.source import MAX_SPEC_BYTES, read_text

ASSET_FILENAMES = ("asset.yaml", "asset.yml")
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


@dataclass
class Discovery:
    root: Path
    assets: list[Asset] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def by_name(self, name: str) -> Asset:
        for asset in self.assets:
            if name in (asset.name, asset.full_name) or asset.dir.name == name:
                return asset
        known = ", ".join(sorted(a.name for a in self.assets)) or "none"
        raise NotFoundError(f"no asset named '{name}' under {self.root}", hint=f"known: {known}")


def find_asset_files(
    paths: Iterable[Path],
    *,
    root: Path | None = None,
    exclude: Sequence[str] = (),
    real_paths: dict[str, str] | None = None,
) -> Iterator[Path]:
    """``asset.yaml`` files: named ones, and every one below the named folders (sorted).

    ``exclude``: folders not entered, as paths relative to ``root`` (the repository root),
    glob patterns allowed (``tests``, ``*/test/resources``): the ``[assets] exclude`` setting.
    ``real_paths``: filled with what the walk knows is no symbolic link (the folders it
    enters below a resolved one, the plain files next to an asset file), so that
    ``Asset.outside`` need not ask again (``load_each``).
    """
    skip = _excluded(root, exclude) if exclude and root is not None else None
    for path in paths:
        if path.is_file():
            yield path
            continue
        if not path.is_dir():
            raise NotFoundError(f"{path}: no such file or folder")
        folder = str(path)
        known = (
            real_paths if real_paths is not None and os.path.realpath(folder) == folder else None
        )
        yield from _walk(folder, top=True, skip=skip, real=known)


def _excluded(root: Path, patterns: Sequence[str]) -> Callable[[str], bool]:
    base = str(root.resolve())
    cleaned = [p.strip("/") for p in patterns if p.strip("/")]

    def skip(folder: str) -> bool:
        rel = os.path.relpath(folder, base).replace(os.sep, "/")
        return any(rel == p or fnmatch.fnmatchcase(rel, p) for p in cleaned)

    return skip


def _own_settings(folder: str, names: set[str]) -> bool:
    """Whether ``folder`` holds asset settings of its own (another repository's root)."""
    if "envyard.toml" in names:
        return True
    if "pyproject.toml" in names:
        from envyard.assets.config import has_settings_section

        return has_settings_section(Path(folder) / "pyproject.toml")
    return False


def _walk(
    folder: str,
    *,
    top: bool = False,
    skip: Callable[[str], bool] | None = None,
    real: dict[str, str] | None = None,
) -> Iterator[Path]:
    """``os.walk`` top-down over ``scandir`` entries (sorted, hidden and tool folders skipped,
    symbolic links to folders not followed): the asset files in the order os.walk finds them,
    without its per-folder list building and link checks (a repository has thousands).

    A folder below ``top`` with asset settings of its own (``envyard.toml``, or a
    ``pyproject.toml`` with ``[tool.envyard...]``) is another repository and is not entered."""
    try:
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError:  # as os.walk: an unreadable folder is skipped
        return
    names: set[str] = set()
    subfolders: list[tuple[str, str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            names.add(entry.name)
        elif not (entry.name in SKIP_DIRS or entry.name.startswith(".") or entry.is_symlink()):
            subfolders.append((entry.name, entry.path))
    if not top and (_own_settings(folder, names) or (skip is not None and skip(folder))):
        return  # a nested asset repository (e.g. test scenarios) or an excluded folder
    if real is not None:  # entered from a real folder, never through a link: real too
        real[folder] = folder
    for name in ASSET_FILENAMES:
        if name in names:
            if real is not None:  # the spec and extra_config are usually next to it
                real.update((e.path, e.path) for e in entries if not e.is_symlink())
            yield Path(folder) / name
    for _name, sub in sorted(subfolders):
        yield from _walk(sub, skip=skip, real=real)


def repo_root(start: Path) -> Path:
    """The enclosing git work tree, else ``start`` itself (a folder)."""
    here = start.resolve()
    base = here if here.is_dir() else here.parent
    for folder in (base, *base.parents):
        if (folder / ".git").exists():
            return folder
    return base


def _read(path: Path) -> tuple[Document, str]:
    """A file's document (positions computed when a diagnostic asks) and its text.

    The common case - a small UTF-8 file - is read here directly (thousands of files: no
    ``resolve()`` per file for its displayed name); anything else goes through
    ``yamlio.source.read_text``, whose messages name what is wrong."""
    raw = b""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:  # one read sized from the file (no buffered reader: thousands of small files)
            size = os.fstat(fd).st_size
            if size <= MAX_SPEC_BYTES:
                raw = os.read(fd, size + 1)
                raw = raw if len(raw) == size else b""  # changed meanwhile: the slow path
        finally:
            os.close(fd)
        text = raw.decode("utf-8-sig") if raw and b"\x00" not in raw[:8192] else None
    except (OSError, UnicodeDecodeError):
        text = None
    if text is None or len(raw) > MAX_SPEC_BYTES:
        text = read_text(path)  # raises the one-line error
    return parse(text, shown(path)), text


def load_asset(
    config_path: Path, root: Path, real_root: str = "", real_paths: dict[str, str] | None = None
) -> tuple[Asset | None, list[Diagnostic]]:
    """Load one asset; broken side files leave ``env``/``spec`` as None plus diagnostics.
    A ``spec`` or ``extra_config`` outside the repository (``real_root``: its resolved root)
    is never read: an AST013 diagnostic, and ``spec_path``/``env_path`` stay None."""
    from envyard.spec.asset import AssetConfig
    from envyard.spec.asset_kinds import ASSET
    from envyard.spec.loader import validate_document

    try:
        doc, _ = _read(config_path)
        loaded = validate_document(doc, ASSET)
    except SpecError as exc:
        return None, [_rule(d) for d in exc.diagnostics]
    config = loaded.model
    if not isinstance(config, AssetConfig):  # pragma: no cover - the kind's model
        raise TypeError(type(config).__name__)
    asset = Asset(root=root, config_path=config_path, doc=doc, config=config)
    asset.resolved_root = real_root or asset.real_root()
    asset.real_paths = {} if real_paths is None else real_paths
    problems: list[Diagnostic] = [_rule(d) for d in loaded.warnings]
    spec_path = config_path.parent / asset.config.spec
    if (escaped := _outside(asset, ("spec",), spec_path)) is not None:
        problems.append(escaped)
    elif spec_path.is_file():
        asset.spec_path = spec_path
        try:
            asset.spec_doc, asset.spec_text = _read(spec_path)
        except SpecError as exc:
            problems.extend(_rule(d) for d in exc.diagnostics)
    else:
        asset.spec_path = spec_path
        problems.append(_missing(asset, ("spec",), spec_path))
    if asset.config.extra_config:
        _load_extra(asset, problems)
    elif asset.type == "environment":
        problems.append(
            asset.diag(
                (),
                "an environment asset needs extra_config (its environment.yaml)",
                hint="add `extra_config: environment.yaml`",
            )
        )
    asset.problems = problems
    return asset, problems


def _load_extra(asset: Asset, problems: list[Diagnostic]) -> None:
    """Load the asset's ``extra_config`` (the environment's is also ``env``)."""
    from envyard.spec.asset import AssetEnvironmentConfig
    from envyard.spec.asset_kinds import extra_config_kind
    from envyard.spec.loader import validate_document

    env_path = asset.dir / str(asset.config.extra_config)
    if (escaped := _outside(asset, ("extra_config",), env_path)) is not None:
        problems.append(escaped)
        return
    asset.env_path = env_path
    if not env_path.is_file():
        problems.append(_missing(asset, ("extra_config",), env_path))
        return
    try:
        asset.env_doc, _ = _read(env_path)
        extra = validate_document(asset.env_doc, extra_config_kind(asset.type))
    except SpecError as exc:
        problems.extend(_rule(d) for d in exc.diagnostics)
    else:
        problems.extend(_rule(d) for d in extra.warnings)
        asset.extra = extra.model  # type: ignore[assignment]
        if isinstance(extra.model, AssetEnvironmentConfig):
            asset.env = extra.model


def _rule(d: Diagnostic) -> Diagnostic:
    """A loading problem under its rule: unknown fields (warnings) AST016, others AST001."""
    rule = (
        "AST016" if d.severity == "warning" and d.message.startswith("unknown field") else "AST001"
    )
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, d.severity, rule)


def _outside(asset: Asset, path: tuple[str, ...], target: Path) -> Diagnostic | None:
    """AST013 when ``target`` (links followed) is outside the repository: never read."""
    real = asset.outside(str(target))
    if real is None:
        return None
    from envyard.assets.discovery.confine import HINT, RULE

    value = asset.doc.data.get(path[0]) if isinstance(asset.doc.data, dict) else None
    d = asset.diag(path, f"'{value}' is outside the repository (at {real})", hint=HINT)
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule=RULE)


def _missing(asset: Asset, path: tuple[str, ...], target: Path) -> Diagnostic:
    d = asset.diag(path, f"file '{shown(target)}' does not exist", hint="check the path")
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule="AST002")


def discover(
    paths: Iterable[Path] | Path, root: Path | None = None, *, exclude: Sequence[str] = ()
) -> Discovery:
    """Load every asset below ``paths`` (files or folders), ``exclude``d folders left out."""
    items = [paths] if isinstance(paths, Path) else list(paths)
    items = [p.resolve() for p in items] or [Path.cwd().resolve()]
    base = (root or repo_root(items[0])).resolve()
    real: dict[str, str] = {}
    files = find_asset_files(items, root=base, exclude=exclude, real_paths=real)
    return discover_files(files, base, real)


def discover_files(
    files: Iterable[Path], base: Path, real_paths: dict[str, str] | None = None
) -> Discovery:
    """Load the given ``asset.yaml`` files (absolute paths) of the repository at ``base``."""
    found = Discovery(root=base)
    for asset, problems in load_each(dict.fromkeys(files), base, real_paths):
        found.diagnostics.extend(problems)
        if asset is not None:
            found.assets.append(asset)
    return found


def load_each(
    files: Iterable[Path], base: Path, real_paths: dict[str, str] | None = None
) -> Iterator[tuple[Asset | None, list[Diagnostic]]]:
    """:func:`load_asset` for each file in turn (duplicates are the caller's business).
    ``real_paths``: real paths known already (:func:`find_asset_files`), shared and added to."""
    real_root = os.path.realpath(base)
    real_paths = {} if real_paths is None else real_paths  # folders resolved once for all
    for config_path in files:
        yield load_asset(config_path, base, real_root, real_paths)
