"""Deprecate an environment asset in its spec file, and archive what is due in the registry.

``deprecate`` edits the spec (only the changed values: comments, quotes, indentation and line
endings are kept) and writes it atomically: the description gets
``DEPRECATED: Please use OTHER instead.`` in front, and the tags ``Deprecated`` (empty) and
``DeleteOn`` (YYYY-MM-DD) are set. Running it again replaces the earlier notice instead of
stacking a second one. An asset with a description file (``description_file``, else a
``description.md`` next to asset.yaml) gets the notice there instead, as the first paragraph:
a release replaces the spec's description with that file (as azureml-assets does), so a notice
in the spec would never be released.

``archive_due`` archives, in the registry, every environment with a version whose ``DeleteOn``
tag (or lifecycle ``delete_on``) is today or earlier: archived environments leave lists but
exact ``name@version`` references keep resolving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from envyard.assets.discovery.confine import refuse_escapes
from envyard.assets.discovery.discover import discover
from envyard.assets.release.latest import description_file
from envyard.atomicfile import write_atomic
from envyard.errors import ConfigError, NotFoundError, SpecError
from envyard.yamlio import MappingNode, ScalarNode, compose

if TYPE_CHECKING:
    from envyard.client import Client

NOTICE = "DEPRECATED: Please use {replacement} instead."
_OLD_NOTICE = re.compile(r"^DEPRECATED: Please use \S+ instead\.\s*")
_INLINE_NOTICE = re.compile(r"DEPRECATED: Please use \S+ instead\. ?")


@dataclass(frozen=True)
class Deprecation:
    spec: Path
    name: str
    replacement: str
    delete_on: dt.date
    text: str
    warning: str | None = None
    description: Path | None = None
    """The description file that got the notice (None: the spec's ``description`` did)."""
    description_text: str = ""


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
    date = parse_date(delete_on)
    found = discover([repo], repo)
    asset = found.by_name(name)
    if replacement == asset.name:
        raise ConfigError(f"'{name}' cannot replace itself", hint="name another environment")
    refuse_escapes([asset], walk=False)  # its spec and description file are written: inside only
    warning = None
    try:
        found.by_name(replacement)
    except NotFoundError:
        warning = f"'{replacement}' is not an asset in {repo}; make sure it exists in the registry"
    spec = asset.spec_path
    if spec is None or not spec.is_file():
        raise NotFoundError(f"the spec of '{name}' does not exist")
    original = spec.read_bytes().decode("utf-8")  # line endings as they are
    notice = NOTICE.format(replacement=replacement)
    described = description_file(asset)
    if described is not None and not described.is_file():
        described = None  # the release keeps the spec's description then
    text = deprecated_spec(original, str(spec), None if described else notice, date)
    done = Deprecation(spec, asset.name, replacement, date, text, warning)
    if described is not None:
        markdown = described.read_bytes().decode("utf-8")
        done = replace(done, description=described, description_text=_in_markdown(markdown, notice))
        if write and done.description_text != markdown:
            write_atomic(described, done.description_text)
    if write and text != original:
        write_atomic(spec, text)
    return done


def _in_markdown(text: str, notice: str) -> str:
    """A description file with ``notice`` as its first paragraph (an earlier one replaced);
    a byte-order mark and the file's line endings kept."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = _OLD_NOTICE.sub("", text[len(bom) :], count=1)
    newline = "\r\n" if "\r\n" in text else "\n"
    return f"{bom}{notice}{newline}{newline}{body}" if body else f"{bom}{notice}{newline}"


def deprecated_spec(text: str, file: str, notice: str | None, date: dt.date) -> str:
    """``text`` with the ``Deprecated``/``DeleteOn`` tags set and, unless ``notice`` is None,
    ``notice`` in front of the description (an earlier notice replaced).

    Only those values change: the rest of the file (comments, quoting, indentation, line
    endings) stays as written (the span edits of :mod:`envyard.overrides.editing`). A block
    description (``>-``, ``|``) keeps its style: the notice goes in front of its first line.
    ``DeleteOn`` is quoted, so readers with YAML timestamps (ruamel, PyYAML) read a string.
    """
    from envyard.overrides.editing.nodes import parse_yaml
    from envyard.overrides.editing.spans import patch_text

    doc = parse_yaml(text, file)
    data: dict[str, Any] = doc.data
    new = dict(data)
    tags = data.get("tags")
    new["tags"] = {**(tags if isinstance(tags, dict) else {}), "Deprecated": ""}
    new["tags"]["DeleteOn"] = date.isoformat()
    old = data.get("description")
    body = _OLD_NOTICE.sub("", str(old or ""))
    if notice is not None and _block_scalar(doc.node, "description") and body.strip():
        value = str(old)
        rest = value.lstrip("\n")
        new["description"] = value[: len(value) - len(rest)] + _in_front(rest, notice)
        unchanged = {**new, "description": old}
        out = _quote_plain(patch_text(doc, unchanged), file, "tags", "DeleteOn")
        with contextlib.suppress(ValueError, IndexError):  # a layout the edit does not know
            out = _prefix_block(out, file, notice)
            if parse_yaml(out, file).data == new:
                return out
    if notice is not None:  # written as a one-line scalar (also when the block edit failed)
        new["description"] = f"{notice} {body}".strip() if body.strip() else notice
    out = _quote_plain(patch_text(doc, new), file, "tags", "DeleteOn")
    if parse_yaml(out, file).data != new:
        raise SpecError.at(
            file,
            "the spec could not be edited so that it reads as intended; nothing was written",
            hint="this is a bug in Envyard; please report it with this file",
        )
    return out


def _child(node: Any, *keys: str) -> Any:
    """The value node at ``keys`` of a mapping node (None when absent)."""
    for key in keys:
        if not isinstance(node, MappingNode):
            return None
        node = next((v for k, v in node.value if k.value == key), None)
    return node


def _block_scalar(root: Any, key: str) -> bool:
    node = _child(root, key)
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _prefix_block(text: str, file: str, notice: str) -> str:
    """The block scalar ``description`` with ``notice`` (replacing an earlier one) in front
    of its first line of text."""
    node = _child(compose(text, file), "description")
    pos = text.index("\n", node.start_mark.index) + 1  # past the header (>-, |)
    while True:  # past leading empty lines, then the indentation
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if line.strip() or end < 0:
            break
        pos = end + 1
    pos += len(line) - len(line.lstrip(" "))
    return text[:pos] + _in_front(text[pos:], notice)


def _in_front(text: str, notice: str) -> str:
    """``text`` (a block scalar's text from its first character) with ``notice`` in front,
    replacing an earlier one; the same for the scalar's value and for the file's text."""
    earlier = _INLINE_NOTICE.match(text)
    rest = text[earlier.end() :] if earlier else text
    return notice + ("" if rest[:1] in ("", "\r", "\n") else " ") + rest


def _quote_plain(text: str, file: str, *keys: str) -> str:
    """``text`` with the plain scalar at ``keys`` single-quoted (its value unchanged)."""
    node = _child(compose(text, file), *keys)
    if not isinstance(node, ScalarNode) or node.style or "'" in node.value:
        return text
    start, end = node.start_mark.index, node.end_mark.index
    return f"{text[:start]}'{node.value}'{text[end:]}"


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
