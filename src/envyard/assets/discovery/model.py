# ruff: noqa: PTH117 - os.path on strings: thousands of files, no Path objects
"""A discovered asset: its parsed files, with positions, and what discovery found wrong."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envyard.assets.fsutil import inside, real_path
from envyard.errors import Diagnostic
from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig, AssetFileModel
from envyard.yamlio import Document

TEMPLATE_MARK = "{{"
_DOT, _TWO = os.sep + ".", os.sep + os.sep  # an absolute path without them is normalized


class ReparsedDocument(Document):
    """A document handed back by a forked child: data only; its positions come from parsing
    the file again, in the few cases a diagnostic needs one (repository-wide rules). Sending
    position tables of thousands of files through pickle cost more than the checks."""

    __slots__ = ("source",)

    def __init__(self, file: str, data: Any, source: str) -> None:
        super().__init__(file, data)
        self.source = source

    def _tables(self) -> tuple[dict[Any, tuple[int, int]], dict[Any, tuple[int, int]]]:
        if self._keys is None and self.node is None:
            from envyard.errors import SpecError
            from envyard.yamlio import parse
            from envyard.yamlio.source import read_text

            try:
                self.node = parse(read_text(Path(self.source)), self.file).node
            except (SpecError, OSError):  # changed meanwhile: positions fall back to 1:1
                self.node = None
        return super()._tables()

    def __getstate__(self) -> tuple[str, Any, str]:  # type: ignore[override]
        return (self.file, self.data, self.source)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.file, self.data, self.source = state
        self.node = None
        self._keys = self._values = None


def is_template(value: object) -> bool:
    return isinstance(value, str) and TEMPLATE_MARK in value


@dataclass
class Asset:
    """One ``asset.yaml`` and the files it names (``env``/``spec`` None when they failed)."""

    root: Path
    config_path: Path
    doc: Document
    config: AssetConfig
    env_path: Path | None = None
    env_doc: Document | None = None
    env: AssetEnvironmentConfig | None = None
    extra: AssetFileModel | None = None
    """The ``extra_config`` of any type (the environment's is also ``env``)."""
    spec_path: Path | None = None
    spec_doc: Document | None = None
    spec_text: str | None = field(default=None, repr=False)
    """The spec's text as read at discovery (None: read it again when needed)."""
    problems: list[Diagnostic] = field(default_factory=list)
    listing: tuple[list[str], list[str]] | None = field(default=None, repr=False)
    """Files below the asset folder and link errors, read once (see paths.asset_dir_files)."""
    _paths: tuple[Any, Any, tuple[Path | None, Path | None, tuple[Path, ...]]] | None = field(
        default=None, repr=False, compare=False
    )
    bases: list[tuple[int, int, str, str, str]] | None = field(default=None, repr=False)
    """The Dockerfile's FROM images, parsed once per asset and run where the asset was loaded
    (see rules.environment.base_images); kept when pickled: forked batches hand them back."""
    resolved_root: str = field(default="", repr=False)
    """``root`` with symbolic links resolved; discovery resolves it once for all assets."""
    real_paths: dict[str, str] | None = field(default=None, repr=False, compare=False)
    """Folder -> its real path, shared by the assets of one discovery (``confine.outside``);
    not pickled."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (forked validation hands assets back) without what is cheap to recompute
        and no longer needed: the listing, the spec text, the build-context paths, and the
        documents' position tables (read again from the file if a diagnostic needs one)."""
        state = dict(self.__dict__)
        state.update(listing=None, spec_text=None, _paths=None, real_paths=None)
        for key, path in (
            ("doc", self.config_path),
            ("env_doc", self.env_path),
            ("spec_doc", self.spec_path),
        ):
            doc = state.get(key)
            if doc is not None and path is not None and not isinstance(doc, ReparsedDocument):
                state[key] = ReparsedDocument(doc.file, doc.data, str(path))
        return state

    def real_root(self) -> str:
        if not self.resolved_root:
            self.resolved_root = os.path.realpath(self.root)
        return self.resolved_root

    def outside(self, target: str) -> str | None:
        """Where ``target`` really is when that is outside the repository, else None. Both
        readings count: as the system opens it (``..`` after a link leaves the link's
        target) and normalized first (as a release reads it). Folders are resolved once per
        discovery (``real_paths``)."""
        root = self.real_root()
        plain = _DOT not in target and _TWO not in target and not target.endswith(os.sep)
        for path in (target,) if plain else dict.fromkeys((target, os.path.normpath(target))):
            real = real_path(path, self.real_paths)
            if not inside(real, root):
                return real
        return None

    @property
    def dir(self) -> Path:
        return self.config_path.parent

    @property
    def type(self) -> str:
        return self.config.type

    @property
    def spec_data(self) -> dict[str, Any]:
        data = self.spec_doc.data if self.spec_doc is not None else {}
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str:
        if self.config.name:
            return self.config.name
        spec_name = self.spec_data.get("name")
        if isinstance(spec_name, str) and spec_name and not is_template(spec_name):
            return spec_name
        return self.dir.name

    @property
    def version(self) -> str | None:
        """The version as written: ``auto``, a manual version, or None (not given)."""
        if self.config.version is not None:
            return str(self.config.version)
        spec_version = self.spec_data.get("version")
        if spec_version is not None and not is_template(spec_version):
            return str(spec_version)
        return None

    @property
    def auto_version(self) -> bool:
        return self.version in (None, "auto")

    @property
    def full_name(self) -> str:
        return f"{self.type}/{self.name}"

    def rel(self, path: Path) -> str:
        """``path`` relative to the repository root, POSIX style."""
        text, root = str(path), str(self.root)
        if os.path.isabs(text) and text.startswith(root + os.sep) and ".." not in text:
            return text[len(root) + 1 :].replace(os.sep, "/")
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def context_dir(self) -> Path | None:
        return self._build_paths()[0]

    @property
    def dockerfile(self) -> Path | None:
        return self._build_paths()[1]

    def template_files(self) -> list[Path]:
        return list(self._build_paths()[2])

    def _build_paths(self) -> tuple[Path | None, Path | None, tuple[Path, ...]]:
        """(context dir, Dockerfile, template files), built once per ``env``/``env_path``:
        every rule asks for them, thousands of assets each. A Dockerfile or template file
        outside the repository is left out (None): nothing reads it (AST013 reports it; pin,
        build and release refuse the asset)."""
        cached = self._paths
        if cached is not None and cached[0] is self.env and cached[1] is self.env_path:
            return cached[2]
        found: tuple[Path | None, Path | None, tuple[Path, ...]] = (None, None, ())
        context = self.env.image.context if self.env is not None else None
        if context is not None and self.env_path is not None:
            folder = self.env_path.parent / context.dir
            files = tuple(folder / name for name in context.template_files)
            files = tuple(f for f in files if self.outside(str(f)) is None)
            dockerfile = folder / context.dockerfile
            found = (folder, None if self.outside(str(dockerfile)) else dockerfile, files)
        self._paths = (self.env, self.env_path, found)
        return found

    def diag(
        self,
        path: tuple[str | int, ...],
        message: str,
        *,
        doc: Document | None = None,
        hint: str | None = None,
        key: bool = False,
    ) -> Diagnostic:
        """A diagnostic at ``path`` in ``doc`` (asset.yaml when not given)."""
        from envyard.spec.diagnose import format_path

        document = doc or self.doc
        line, col = document.position(path, key=key) if path else (0, 0)
        return Diagnostic(document.file, line, col, format_path(path), message, hint)


def unsafe_names(assets: list[Asset]) -> list[Diagnostic]:
    """Names and manual versions that do not follow the one name rule, each at its file:line:
    they become git refs (``<type>/<name>/<version>``), folder names (``pin -o``) and image
    tags (``build``), so those commands refuse them (validation reports them as AST018)."""
    from envyard.names import NAME_HINT, is_name

    out: list[Diagnostic] = []
    for asset in assets:
        fields = [("name", asset.name)]
        if not asset.auto_version and asset.version is not None:
            fields.append(("version", asset.version))
        for key, value in fields:
            if is_name(value):
                continue
            in_config = key in asset.doc.data if isinstance(asset.doc.data, dict) else False
            doc = asset.doc if in_config or asset.spec_doc is None else asset.spec_doc
            shown = repr(value)[:80]
            out.append(
                asset.diag(
                    (key,),
                    f"{shown} is not a valid {key} (it becomes a git ref, a path, an image tag)",
                    doc=doc,
                    hint=NAME_HINT,
                )
            )
    return out


def missing_template_files(asset: Asset) -> list[Diagnostic]:
    """``image.context.template_files`` entries missing from an existing build context: the
    reference accepts them (its release logs "File not found" and goes on), so validation
    (AST022) and the release plan warn, and pinning skips them."""
    env, context = asset.env, asset.context_dir
    if env is None or env.image.context is None or context is None or not context.is_dir():
        return []
    return [
        asset.diag(
            ("image", "context", "template_files", index),
            f"template file '{name}' does not exist in the build context: it is skipped, as "
            "azureml-assets skips it",
            doc=asset.env_doc,
            hint="remove it from template_files, or add the file",
        )
        for index, name in enumerate(env.image.context.template_files)
        if not (context / name).is_file()
    ]


def delete_on_problem(asset: Asset) -> Diagnostic | None:
    """A ``DeleteOn`` spec tag that is not a date (YYYY-MM-DD), at its place in the spec:
    publishing (``release --publish``) refuses it; validation reports it as AST020 and the
    release plan as a warning. Empty or absent: none."""
    tags = asset.spec_data.get("tags")
    value = tags.get("DeleteOn") if isinstance(tags, dict) else None
    if value in (None, "") or isinstance(value, dt.date):
        return None
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        shown = repr(value) if isinstance(value, str) else str(value)
        return asset.diag(
            ("tags", "DeleteOn"),
            f"{shown[:80]} is not a date",
            doc=asset.spec_doc,
            hint="write YYYY-MM-DD, as envyard asset deprecate does",
        )
    return None
