# ruff: noqa: PTH112, PTH118 - os.path on strings: thousands of assets
"""Every path an asset's files name stays inside its repository (rule AST013).

The reference (azureml-assets ``update_assets``) copies whatever a path names — a component's
``code``, a data asset's ``path``, an environment's ``context.dir``, a tag naming a file —
relative to their lowest common folder, even outside the repository, links followed. Envyard
never reads such a file into a release: validation reports each path at its file:line, and
``pin``, ``build`` and ``release`` refuse before anything is written (:func:`refuse_escapes`).

Paths are resolved as the system opens them, symbolic links followed, and normalized
(:meth:`Asset.outside <envyard.assets.discovery.model.Asset.outside>`), each folder once per
discovery. ``spec`` and ``extra_config`` are checked at discovery, which then leaves the file
unread (``discover.load_asset``); the rest here. Folders named (``code``, ``path``, the build
context) are walked only when pinning (``walk=True``) or as a release reads them
(``release.latest``): a link inside them that leads out is refused then.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.assets.discovery.model import Asset
from envyard.assets.discovery.named import local, spec_code
from envyard.errors import Diagnostic, SpecError
from envyard.yamlio import Document

RULE = "AST013"
HINT = "move the files into the repository and name them there (symbolic links are followed)"


@dataclass(frozen=True)
class NamedPath:
    """A path one of the asset's files names: where (document, field) and what it names."""

    doc: Document
    field: tuple[str | int, ...]
    value: str
    target: str
    """Absolute, joined as written (neither normalized nor resolved)."""


def named_paths(asset: Asset) -> list[NamedPath]:
    """Every local path the asset's files name (``spec``/``extra_config``: see discovery)."""
    out: list[NamedPath] = []
    base = str(asset.dir)

    def add(doc: Document | None, field: tuple[str | int, ...], value: Any, folder: str) -> None:
        if doc is not None and (raw := local(value)) is not None:
            out.append(NamedPath(doc, field, raw, os.path.join(folder, raw)))

    config = asset.config
    add(asset.doc, ("description_file",), config.description_file, base)
    pytest = config.test.pytest if config.test is not None else None
    if pytest is not None:
        for key in ("tests_dir", "pip_requirements", "conda_environment"):
            add(asset.doc, ("test", "pytest", key), getattr(pytest, key), base)
    context = asset.env.image.context if asset.env is not None else None
    if context is not None and asset.env_path is not None:
        folder = os.path.join(str(asset.env_path.parent), context.dir)
        add(asset.env_doc, ("image", "context", "dir"), context.dir, str(asset.env_path.parent))
        add(asset.env_doc, ("image", "context", "dockerfile"), context.dockerfile, folder)
        for index, name in enumerate(context.template_files):
            add(asset.env_doc, ("image", "context", "template_files", index), name, folder)
    if asset.spec_doc is not None and asset.spec_path is not None:
        spec, folder = asset.spec_data, str(asset.spec_path.parent)
        field, code = spec_code(spec)
        add(asset.spec_doc, field, code, folder)
        add(asset.spec_doc, ("path",), spec.get("path"), folder)
        add(asset.spec_doc, ("data_uri",), spec.get("data_uri"), folder)
        tags = spec.get("tags")
        for key, value in tags.items() if isinstance(tags, dict) else ():
            # a plain name is a file of the asset folder, whose links out AST013 reports
            if (
                isinstance(value, str)
                and ("/" in value or os.sep in value)
                and tag_file(asset.dir, value)
            ):
                add(asset.spec_doc, ("tags", key), value, base)
    return out


def tag_file(folder: Path, value: str) -> Path | None:
    """The file a spec tag's value names next to the asset (the reference releases its
    content instead), or None. Any text may be a tag value: a long or odd one is no file."""
    if len(value) > 255 or "\n" in value or "\0" in value:
        return None
    try:
        path = folder / value
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


def outside_paths(asset: Asset, *, walk: bool = False) -> Iterator[Diagnostic]:
    """AST013: each named path that leads outside the repository; with ``walk``, also each
    link inside a named folder that does (what a release or pin would read)."""
    from envyard.assets.discovery.paths import links_out

    for named in named_paths(asset):
        real = asset.outside(named.target)
        if real is not None:
            yield _diag(asset, named, f"'{named.value}' is outside the repository (at {real})")
        elif walk and os.path.isdir(named.target):
            for message in links_out(os.path.normpath(named.target), asset.real_root()):
                yield _diag(asset, named, message)


def _diag(asset: Asset, named: NamedPath, message: str) -> Diagnostic:
    d = asset.diag(named.field, message, doc=named.doc, hint=HINT)
    return Diagnostic(d.file, d.line, d.col, d.field, d.message, d.hint, rule=RULE)


def escapes(asset: Asset, *, walk: bool = True) -> list[Diagnostic]:
    """Every AST013 finding of :func:`outside_paths` plus discovery's (``spec``,
    ``extra_config``): what stops a release, pin or build of ``asset``."""
    return [d for d in asset.problems if d.rule == RULE] + list(outside_paths(asset, walk=walk))


def refuse_escapes(assets: Iterable[Asset], *, walk: bool = True) -> None:
    """Raise one SpecError listing every path of ``assets`` that leads outside the repository
    (``walk``: links inside the named folders too)."""
    problems = [d for asset in assets for d in escapes(asset, walk=walk)]
    if problems:
        raise SpecError(problems)
