"""Deprecate an environment asset in its spec file, and archive what is due in the registry.

``deprecate`` edits the spec (round-trip YAML: comments, quotes and layout are kept) and writes
it atomically: the description gets ``DEPRECATED: Please use OTHER instead.`` in front, and
the tags ``Deprecated`` (empty) and ``DeleteOn`` (YYYY-MM-DD) are set. Running it again
replaces the earlier notice instead of stacking a second one.

``archive_due`` archives, in the registry, every environment with a version whose ``DeleteOn``
tag (or lifecycle ``delete_on``) is today or earlier: archived environments leave lists but
exact ``name@version`` references keep resolving.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envyard.assets.discovery.discover import discover
from envyard.atomicfile import write_atomic
from envyard.errors import ConfigError, NotFoundError, SpecError

if TYPE_CHECKING:
    from envyard.client import Client

NOTICE = "DEPRECATED: Please use {replacement} instead."
_OLD_NOTICE = re.compile(r"^DEPRECATED: Please use \S+ instead\.\s*")


@dataclass(frozen=True)
class Deprecation:
    spec: Path
    name: str
    replacement: str
    delete_on: dt.date
    text: str
    warning: str | None = None


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"'{value}' is not a date", hint="write YYYY-MM-DD") from None


def deprecate_asset(
    repo: Path, name: str, replacement: str, delete_on: str, *, write: bool = True
) -> Deprecation:
    """Rewrite ``name``'s spec as deprecated in favour of ``replacement``.

    A replacement that is not an asset of ``repo`` (it may live elsewhere) gives a warning.
    """
    from envyard.yamlio import roundtrip_dump, roundtrip_load

    date = parse_date(delete_on)
    found = discover([repo], repo)
    asset = found.by_name(name)
    if replacement == asset.name:
        raise ConfigError(f"'{name}' cannot replace itself", hint="name another environment")
    warning = None
    try:
        found.by_name(replacement)
    except NotFoundError:
        warning = f"'{replacement}' is not an asset in {repo}; make sure it exists in the registry"
    spec = asset.spec_path
    if spec is None or not spec.is_file():
        raise NotFoundError(f"the spec of '{name}' does not exist")
    original = spec.read_text(encoding="utf-8")
    data: Any = roundtrip_load(original, str(spec))  # CommentedMap: comments and order kept
    if not isinstance(data, dict) or not hasattr(data, "insert"):  # a round-trip map
        raise SpecError.at(str(spec), "the spec is not a mapping")
    old = data.get("description") or ""
    body = _OLD_NOTICE.sub("", str(old))
    notice = NOTICE.format(replacement=replacement)
    new = f"{notice} {body}".strip() if body else notice
    if type(old).__name__ in ("FoldedScalarString", "LiteralScalarString"):
        new = type(old)(new)  # the block style it was written in (>- or |)
    if "description" in data:
        data["description"] = new
    else:
        data.insert(0, "description", new)
    tags = data.get("tags")
    if not isinstance(tags, dict):
        tags = {}
        data["tags"] = tags
    tags["Deprecated"] = ""
    tags["DeleteOn"] = date.isoformat()
    text = roundtrip_dump(data)
    if write and text != original:
        write_atomic(spec, text)
    return Deprecation(spec, asset.name, replacement, date, text, warning)


def _version_key(version: str) -> tuple[int, str]:
    return (int(version), "") if version.isdigit() else (1 << 62, version)


def _due(record: Any, today: dt.date) -> bool:
    when = record.delete_on
    tag = (record.tags or {}).get("DeleteOn")
    if when is None and tag:
        try:
            when = dt.date.fromisoformat(str(tag))
        except ValueError:
            return False
    return when is not None and when <= today


def archive_due(
    client: Client, *, today: dt.date | None = None, dry_run: bool = False
) -> list[str]:
    """Archive every environment (all its versions) whose DeleteOn has passed; returns the
    ``name@version`` of each version archived (not yet archived before)."""
    day = today or dt.date.today()
    names: list[str] = []
    offset = 0
    while True:
        page = client.environments.list(limit=200, offset=offset)
        names += [r.name for r in page.items]
        offset += len(page.items)
        if not page.items or offset >= page.total:
            break
    done: list[str] = []
    for name in names:
        versions = client.environments.versions(name)
        if any(_due(v, day) for v in versions):
            if not dry_run:
                client.environments.archive(name)
            fresh = [str(v.version) for v in versions if v.state != "archived"]
            done += [f"{name}@{v}" for v in sorted(fresh, key=_version_key)]
    return done
