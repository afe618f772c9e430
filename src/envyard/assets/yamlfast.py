"""Fast YAML reading for scanning thousands of asset files; positions only when needed.

ruamel's round-trip loader (``envyard.spec.document``) costs ~2 ms per small file. Here
libyaml (PyYAML's C ``CBaseLoader``) composes the node tree and plain scalars are typed by the
YAML 1.2 core schema (``yes``/``no`` stay strings, as in ruamel). The result is a
:class:`~envyard.spec.document.Document` whose position tables are built on the first
``position()`` call — valid files never pay for them. Anything unusual (a syntax error, merge
keys, duplicate keys, explicit tags, no libyaml) falls back to the round-trip parser, so error
messages are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from envyard.assets.fsutil import shown
from envyard.errors import SpecError
from envyard.spec.document import Document, Path_, parse_document
from envyard.spec.source import MAX_SPEC_BYTES, read_spec_text

try:
    import yaml

    _BASE: Any = yaml.CSafeLoader
except (ImportError, AttributeError):  # pragma: no cover - PyYAML without libyaml
    yaml = None  # type: ignore[assignment]
    _BASE = None


class _FallbackError(Exception):
    """This file needs the round-trip parser (errors, merge keys, duplicates)."""


@functools.cache
def _positions_loader() -> Any:
    """The loader that records positions, built on first use (only diagnostics need it)."""
    return _loader_class()


def _loader_class() -> Any:
    if _BASE is None:  # pragma: no cover
        return None

    class Loader(_BASE):  # type: ignore[misc]
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
            names = []
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _FallbackError
                names.append(key_node.value)
            if len(names) != len(set(names)):
                raise _FallbackError
            mapping = super().construct_mapping(node, deep=deep)
            return {k if isinstance(k, str) else str(k): v for k, v in mapping.items()}

    def timestamp(loader: Any, node: Any) -> str:
        return str(_BASE.construct_yaml_timestamp(loader, node).isoformat())

    resolvers = {
        ch: [(tag, rx) for tag, rx in items if tag != "tag:yaml.org,2002:bool"]
        for ch, items in _BASE.yaml_implicit_resolvers.items()
    }
    Loader.yaml_implicit_resolvers = resolvers
    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return Loader


class LazyDocument(Document):
    """A Document whose position tables are built on the first ``position()`` call.

    Valid files never need positions, so they are parsed once, for their data only.
    """

    def __init__(self, file: str, data: Any, text: str) -> None:
        super().__init__(file=file, data=data)
        self._text = text
        self._positions_ready = False

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        if not self._positions_ready:
            self._positions_ready = True
            full = _parse_positions(self._text, self.file)
            self.keys, self.values = full.keys, full.values
        return super().position(path, key=key)


def _walk(node: Any, path: Path_, doc: Document, loader: Any) -> Any:
    kind = type(node).__name__
    if kind == "MappingNode":
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _FallbackError
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                key = str(key)
            name = key if isinstance(key, str) else str(key)
            if name in out:
                raise _FallbackError
            sub = (*path, name)
            doc.keys[sub] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            doc.values[sub] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            out[name] = _walk(value_node, sub, doc, loader)
        return out
    if kind == "SequenceNode":
        items = []
        for i, item in enumerate(node.value):
            sub = (*path, i)
            doc.keys[sub] = doc.values[sub] = (
                item.start_mark.line + 1,
                item.start_mark.column + 1,
            )
            items.append(_walk(item, sub, doc, loader))
        return items
    value = loader.construct_object(node, deep=True)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _parse_positions(text: str, file: str) -> Document:
    loader = _positions_loader()(text)
    try:
        root = loader.get_single_node()
        doc = Document(file=file, data=None)
        doc.data = _walk(root, (), doc, loader)
        return doc
    finally:
        loader.dispose()


_STR = "tag:yaml.org,2002:str"
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^(?:0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_NUMBER_STARTS = frozenset("0123456789+-.")
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _scalar(node: Any) -> Any:
    """YAML 1.2 core schema for plain scalars; quoted ones stay strings."""
    if node.tag != _STR:
        raise _FallbackError  # an explicit tag (!!int, !custom): let the full loader decide
    value: str = node.value
    if node.style:
        return value
    if value in _BOOLS:
        return _BOOLS[value]
    if value in _NULLS:
        return None
    if value[0] not in _NUMBER_STARTS:
        return value  # no number, infinity or NaN starts with anything else
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    if _SPECIAL.match(value):
        lowered = value.lower()
        if lowered.startswith(("0x", "0o")):
            return int(value[2:], 16 if lowered[1] == "x" else 8)
        return float(lowered.replace(".", ""))
    return value  # dates included: ruamel turns YYYY-MM-DD into the same text


def _data(node: Any) -> Any:
    kind = type(node)
    if kind is _MAPPING:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not _SCALAR:
                raise _FallbackError
            key = key_node.value
            if key in out or (key == "<<" and not key_node.style):
                raise _FallbackError
            out[key] = _data(value_node)
        return out
    if kind is _SEQUENCE:
        return [_data(item) for item in node.value]
    if kind is not _SCALAR:  # pragma: no cover - libyaml composes only these three
        raise _FallbackError
    return _scalar(node)


_MAPPING: Any = yaml.nodes.MappingNode if yaml is not None else None
_SEQUENCE: Any = yaml.nodes.SequenceNode if yaml is not None else None
_SCALAR: Any = yaml.nodes.ScalarNode if yaml is not None else None


def _fast_base_loader() -> Any:
    """``CBaseLoader`` without per-node Python work that cannot change its result.

    libyaml calls back into Python for every node: ``resolve`` (BaseResolver has no implicit
    or path resolvers, so an untagged node always gets its kind's default tag) and the path
    resolver hooks (no path resolvers: nothing to track). Explicit tags never reach
    ``resolve``.
    """
    base = getattr(yaml, "CBaseLoader", None) if yaml is not None else None
    if base is None or base.yaml_implicit_resolvers or base.yaml_path_resolvers:
        return base  # pragma: no cover - a PyYAML we do not know: keep its own resolver
    nodes = yaml.nodes
    tags: dict[Any, str] = {
        nodes.ScalarNode: base.DEFAULT_SCALAR_TAG,
        nodes.SequenceNode: base.DEFAULT_SEQUENCE_TAG,
        nodes.MappingNode: base.DEFAULT_MAPPING_TAG,
    }

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return tags[kind]

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    return Loader


_BASE_LOADER: Any = _fast_base_loader()


def parse_fast(text: str, file: str) -> Document:
    """Parse one YAML document into a :class:`Document` (positions computed when needed).

    libyaml composes the node tree (no implicit typing); plain scalars are typed here by the
    YAML 1.2 core schema, like ruamel's round-trip loader.
    """
    if _BASE_LOADER is None or "\t" in text:  # pragma: no cover - tabs: ruamel's message
        return parse_document(text, file)
    loader = _BASE_LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise _FallbackError
        data = _data(root)
    except (_FallbackError, yaml.YAMLError, RecursionError):
        return parse_document(text, file)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        return parse_document(text, file)
    return LazyDocument(file, data, text)


def _read_text(path: Path) -> tuple[str | None, bool]:
    """(the file's text or None when anything is unusual - the careful reader then explains;
    whether that text is exactly what ``path.read_text(encoding="utf-8")`` returns)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None, False
    if len(raw) > MAX_SPEC_BYTES or b"\x00" in raw[:8192]:
        return None, False
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, False
    return text, b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")


def read_fast_text(path: Path) -> tuple[Document, str | None]:
    """:func:`read_fast`, plus the file's text as ``read_text`` gives it (None when it may
    differ: a BOM, CR line ends), so rules that scan the text need not read it again."""
    text, plain = _read_text(path)
    doc = parse_fast(text if text is not None else read_spec_text(path), shown(path))
    return doc, text if plain else None


def read_fast(path: Path) -> Document:
    """Read and parse ``path`` (size, encoding and binary checks as for every spec file)."""
    return read_fast_text(path)[0]


__all__ = ["SpecError", "parse_fast", "read_fast", "read_fast_text"]
