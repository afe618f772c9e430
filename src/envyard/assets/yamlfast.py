"""Fast YAML reading with positions, for scanning thousands of asset files.

ruamel's round-trip loader (``envyard.spec.document``) costs ~2 ms per small file; PyYAML's C
loader ~0.1 ms. Here the C loader composes the node tree (which carries marks), and we build the
same :class:`~envyard.spec.document.Document` (plain data + key/value positions) from it.
Implicit typing follows YAML 1.2 for booleans (``yes``/``no``/``on``/``off`` stay strings, as
in ruamel). Anything unusual — a syntax error, merge keys, duplicate keys, no C loader — falls
back to the round-trip parser, so error messages are the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.spec.document import Document, Path_, parse_document
from envyard.spec.source import display_path, read_spec_text

try:
    import yaml

    _BASE: Any = yaml.CSafeLoader
except (ImportError, AttributeError):  # pragma: no cover - PyYAML without libyaml
    yaml = None  # type: ignore[assignment]
    _BASE = None


class _FallbackError(Exception):
    """This file needs the round-trip parser (errors, merge keys, duplicates)."""


def _loader_class() -> Any:
    if _BASE is None:  # pragma: no cover
        return None

    class Loader(_BASE):  # type: ignore[misc]
        pass

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
    return Loader


_LOADER = _loader_class()


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


def parse_fast(text: str, file: str) -> Document:
    """Parse one YAML document into a positioned :class:`Document`."""
    if _LOADER is None or "\t" in text:  # pragma: no cover - tabs: ruamel's clearer message
        return parse_document(text, file)
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        if root is None or type(root).__name__ != "MappingNode":
            raise _FallbackError
        doc = Document(file=file, data=None)
        doc.data = _walk(root, (), doc, loader)
        return doc
    except (_FallbackError, yaml.YAMLError):
        return parse_document(text, file)
    finally:
        loader.dispose()


def read_fast(path: Path) -> Document:
    """Read and parse ``path`` (size, encoding and binary checks as for every spec file)."""
    return parse_fast(read_spec_text(path), display_path(path))


__all__ = ["SpecError", "parse_fast", "read_fast"]
