# ruff: noqa: PTH112, PTH113, PTH118, PTH120 - os.path on strings: thousands of files
"""The azureml-assets release branch layout: ``latest/<type>/<name>/`` per released asset.

The reference tool (``update_assets.py``) copies an asset's *release paths* — asset.yaml, its
spec, description file, extra_config, the environment's build context, a component's code
folder, a data asset's local path and ``release_paths`` — relative to their lowest common
folder into ``latest/<type>/<name>/``, with template files pinned and the spec's tags
resolved. Its released version is the spec's (asset.yaml keeps ``version: auto``).

Deciding *unchanged* here needs no network: files are compared by git blob id, except
template files and the spec, which are compared with every ``{{...}}`` of the source standing
for whatever was written in its place (the spec as YAML data, since the reference re-dumps
it). A released file that still holds ``{{latest-...}}`` was never pinned: it counts as
changed, so the next run pins it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envyard.assets.discovery.model import Asset
from envyard.assets.release.git import Git, TreeEntry
from envyard.errors import SpecError

LATEST = "latest"
DEFAULT_DESCRIPTION = "description.md"
_UNPINNED = "{{latest-"
_ANY_TAG = re.compile(r"\{\{[^\n]*?\}\}")


@dataclass
class ReleasedCopy:
    """One asset folder of the release branch."""

    folder: str
    files: dict[str, TreeEntry] = field(default_factory=dict)
    """Path relative to ``folder`` -> its tree entry."""
    version: str | None = None
    config: dict[str, Any] = field(default_factory=dict)


def is_latest_layout(tree: dict[str, TreeEntry]) -> bool:
    """Whether a release branch's tree is in the azureml-assets layout."""
    return any(p.startswith(LATEST + "/") and p.count("/") >= 3 for p in tree)


def _load(blob: bytes | None) -> Any:
    from envyard.yamlio import load

    if blob is None:
        return None
    try:
        return load(blob.decode("utf-8", errors="replace"))
    except SpecError:
        return None


def released_copies(git: Git, tree: dict[str, TreeEntry]) -> dict[str, ReleasedCopy]:
    """``type/name`` -> its released copy, version read as the reference reads it."""
    copies: dict[str, ReleasedCopy] = {}
    for path, entry in tree.items():
        parts = path.split("/", 3)
        if len(parts) < 4 or parts[0] != LATEST:
            continue
        key = f"{parts[1]}/{parts[2]}"
        copy = copies.setdefault(key, ReleasedCopy(f"{LATEST}/{parts[1]}/{parts[2]}"))
        copy.files[parts[3]] = entry
    configs = {k: _config_name(c) for k, c in copies.items()}
    blobs = git.read_blobs(c.files[n].sha for k, c in copies.items() if (n := configs[k]))
    specs: dict[str, str] = {}
    for key, copy in copies.items():
        name = configs[key]
        data = _load(blobs.get(copy.files[name].sha)) if name else None
        copy.config = data if isinstance(data, dict) else {}
        version = copy.config.get("version")
        if version is not None and str(version) != "auto":
            copy.version = str(version)
        spec = copy.config.get("spec")
        if copy.version is None and isinstance(spec, str) and name:
            rel = os.path.normpath(os.path.join(os.path.dirname(name), spec))
            if rel in copy.files:
                specs[key] = rel
    spec_blobs = git.read_blobs(copies[k].files[r].sha for k, r in specs.items())
    for key, rel in specs.items():
        data = _load(spec_blobs.get(copies[key].files[rel].sha))
        version = data.get("version") if isinstance(data, dict) else None
        if version is not None and "{{" not in str(version):
            copies[key].version = str(version)
    return copies


def _config_name(copy: ReleasedCopy) -> str | None:
    """The released asset.yaml (the shallowest one, as the reference finds it)."""
    found = [p for p in copy.files if p.rsplit("/", 1)[-1] in ("asset.yaml", "asset.yml")]
    return min(found, key=lambda p: (p.count("/"), p)) if found else None


# --- what the reference releases of a source asset ----------------------------------------


def description_file(asset: Asset) -> Path | None:
    """``description_file``, else ``description.md`` when the asset folder has one."""
    if asset.config.description_file:
        return asset.dir / asset.config.description_file
    default = asset.dir / DEFAULT_DESCRIPTION
    return default if default.is_file() else None


def _confined(asset: Asset, files: list[str], folders: list[str]) -> list[str]:
    """``files`` plus the files below ``folders``, each inside the repository (links
    followed), else a SpecError naming each one that is not. The plan has refused such assets
    already (``confine.refuse_escapes``): this is the last guard before anything is read."""
    from envyard.assets.discovery.confine import HINT
    from envyard.assets.discovery.paths import files_under

    root = asset.real_root()
    errors: list[str] = []
    out: list[str] = []
    plain = set(files)
    for path in files + folders:
        if (real := asset.outside(path)) is not None:
            errors.append(f"'{path}' is outside the repository (at {real})")
        elif path in plain:
            out.append(path)
        else:
            out += files_under(path, root, errors)
    if errors:
        raise SpecError.at(asset.doc.file, "; ".join(errors), hint=HINT)
    return out


def reference_files(asset: Asset) -> dict[str, Path]:
    """The files the reference releases for ``asset``: path in the released folder -> file."""
    from envyard.assets.discovery.named import released_extras

    base = str(asset.dir)
    paths: list[str] = [str(asset.config_path)]
    folders: list[str] = []
    if asset.spec_path is not None:
        paths.append(str(asset.spec_path))
    description = description_file(asset)
    if description is not None:
        paths.append(str(description))
    if asset.env_path is not None:
        paths.append(str(asset.env_path))
    for target in released_extras(asset):  # code, data path, build context
        (folders if os.path.isdir(target) else paths).append(target)
    excludes = []
    for entry in asset.config.release_paths:
        target = os.path.normpath(os.path.join(base, entry.lstrip("!")))
        if entry.startswith("!"):
            excludes.append(target)
        elif os.path.isdir(target):
            folders.append(target)
        else:
            paths.append(target)
    files = _confined(asset, [os.path.normpath(p) for p in paths if os.path.isfile(p)], folders)
    files = [
        f
        for f in dict.fromkeys(files)
        if not any(f == e or f.startswith(e + os.sep) for e in excludes)
    ]
    anchors = [os.path.dirname(f) for f in files] + [os.path.normpath(f) for f in folders]
    common = os.path.commonpath(anchors) if anchors else base
    return {os.path.relpath(f, common).replace(os.sep, "/"): Path(f) for f in sorted(files)}


def _names_a_file(asset: Asset, value: str) -> bool:
    """Whether a spec tag's value is a file next to the asset, inside the repository (its
    content is released; one outside is refused by the plan and never read)."""
    from envyard.assets.discovery.confine import tag_file

    path = tag_file(asset.dir, value)
    return path is not None and asset.outside(str(path)) is None


def with_described(asset: Asset, spec_text: str) -> str:
    """The released spec as the reference writes it: ``description`` replaced by the asset's
    description file, and each tag whose value names a file next to the asset replaced by
    that file's content. Unchanged (formatting kept) when there is neither."""
    from envyard.yamlio import dump, load

    described = description_file(asset)
    data = load(spec_text, str(asset.spec_path or "spec.yaml"))
    if not isinstance(data, dict):
        return spec_text
    tags = data.get("tags")
    files = (
        {k: v for k, v in tags.items() if isinstance(v, str) and _names_a_file(asset, v)}
        if isinstance(tags, dict)
        else {}
    )
    if described is None and not files:
        return spec_text
    if described is not None and described.is_file():
        _confined(asset, [str(described)], [])
        data["description"] = described.read_text(encoding="utf-8")
    for key, value in files.items():
        data["tags"][key] = (asset.dir / value).read_text(encoding="utf-8")
    return dump(data)


# --- comparing with the tags standing for their values ----------------------------------


def _pattern(text: str) -> re.Pattern[str] | None:
    from envyard.assets.tags.scan import scan

    try:
        spans = [(t.start, t.end) for t in scan(text, "<source>")]
    except SpecError:  # a malformed brace of another tool (an unclosed ${{inputs.x}): plain
        spans = [m.span() for m in _ANY_TAG.finditer(text)]
    pieces, pos = [], 0
    for start, end in spans:
        pieces += [re.escape(text[pos:start]), r"[^\n]*?"]
        pos = end
    pieces.append(re.escape(text[pos:]))
    return re.compile("".join(pieces))


def text_matches(source: str, released: str) -> bool:
    """Whether ``released`` is ``source`` with its tags filled in (and none left unpinned)."""
    if "{{" not in source:
        return source == released
    if _UNPINNED in released:
        return False
    pattern = _pattern(source)
    return pattern is not None and pattern.fullmatch(released) is not None


def data_matches(source: Any, released: Any, *, skip: frozenset[str] = frozenset()) -> bool:
    """YAML data equality where a source string holding tags matches what they became."""
    if isinstance(source, dict):
        if not isinstance(released, dict):
            return False
        keys = set(source) | set(released)
        return all(k in skip or data_matches(source.get(k), released.get(k)) for k in keys)
    if isinstance(source, list):
        return (
            isinstance(released, list)
            and len(source) == len(released)
            and all(data_matches(a, b) for a, b in zip(source, released, strict=True))
        )
    if isinstance(source, str) and "{{" in source:
        return released is not None and text_matches(source, str(released))
    if source == released:
        return True
    return source is not None and released is not None and str(source) == str(released)


def spec_matches(asset: Asset, source_text: str, released: bytes) -> bool:
    from envyard.yamlio import load

    try:
        mine = load(source_text)
        theirs = load(released.decode("utf-8", errors="replace"))
    except SpecError:
        return False
    skip = frozenset({"description"} if description_file(asset) is not None else ())
    if isinstance(mine, dict) and isinstance(mine.get("tags"), dict):
        mine = dict(mine)  # tags naming a file are replaced by its content: not compared
        mine["tags"] = {
            k: (None if isinstance(v, str) and _names_a_file(asset, v) else v)
            for k, v in mine["tags"].items()
        }
        if isinstance(theirs, dict) and isinstance(theirs.get("tags"), dict):
            theirs = dict(theirs)
            theirs["tags"] = {
                k: (None if mine["tags"].get(k, "") is None else v)
                for k, v in theirs["tags"].items()
            }
    return data_matches(mine, theirs, skip=skip)
