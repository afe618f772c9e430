"""YAML (and JSON) parsed with the position of every key and value.

ruamel.yaml's round-trip loader keeps line/column marks; we turn the tree into plain Python
values for validation and keep a side table ``path -> (line, col)`` for error messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from envyard.errors import SpecError

Path_ = tuple[str | int, ...]
_TAB_INDENT = re.compile(r"^( *)\t")


@dataclass
class Document:
    """A parsed file: plain ``data`` plus where each key and value stands in ``file``."""

    file: str
    data: Any
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of ``path``, falling back to the nearest parent that exists."""
        table = self.keys if key else self.values
        for end in range(len(path), 0, -1):
            sub = path[:end]
            if sub in table:
                return table[sub]
            if sub in self.keys:
                return self.keys[sub]
        return (1, 1)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, path: Path_, doc: Document) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for k, v in node.items():
            key = str(k) if not isinstance(k, str | int) else k
            sub = (*path, key)
            kl, kc = node.lc.key(k)
            vl, vc = node.lc.value(k)
            doc.keys[sub] = (kl + 1, kc + 1)
            doc.values[sub] = (vl + 1, vc + 1)
            out[key if isinstance(key, str) else str(key)] = _plain(v, sub, doc)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, v in enumerate(node):
            sub = (*path, i)
            line, col = node.lc.item(i)
            doc.keys[sub] = doc.values[sub] = (line + 1, col + 1)
            items.append(_plain(v, sub, doc))
        return items
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.date | dt.datetime):
        return node.isoformat()
    return node


def _tab_diagnostic(text: str, file: str) -> SpecError | None:
    for number, line in enumerate(text.splitlines(), start=1):
        match = _TAB_INDENT.match(line)
        if match:
            return SpecError.at(
                file,
                "tab character used for indentation; YAML allows spaces only",
                line=number,
                col=len(match.group(1)) + 1,
                hint="replace the tab with spaces",
            )
    return None


def _marked(exc: MarkedYAMLError, file: str, what: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    problem = exc.problem or exc.context or "could not be parsed"
    return SpecError.at(file, f"{what}: {problem}", line=line, col=col)


def parse_document(text: str, file: str) -> Document:
    """Parse one YAML/JSON document; every syntax problem is one clear SpecError."""
    try:
        docs = list(_yaml().load_all(StringIO(text)))
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = re.search(r'found duplicate key "([^"]*)"', str(exc))
        name = key.group(1) if key else "a key"
        raise SpecError.at(
            file,
            f"duplicate key '{name}'",
            line=mark.line + 1 if mark else 0,
            col=mark.column + 1 if mark else 0,
            field=name,
            hint="each key may appear once in a mapping; remove or merge the repeats",
        ) from None
    except MarkedYAMLError as exc:
        raise (_tab_diagnostic(text, file) or _marked(exc, file, "not valid YAML")) from None
    except YAMLError as exc:
        raise SpecError.at(file, f"not valid YAML: {exc}") from None
    if len(docs) > 1:
        raise SpecError.at(
            file,
            f"holds {len(docs)} YAML documents; expected one",
            hint="split the '---' separated documents into separate files",
        )
    doc = Document(file=file, data=None)
    root = docs[0] if docs else None
    if root is None:
        raise SpecError.at(file, "file is empty", hint="see `envyard schema KIND` for the format")
    doc.data = _plain(root, (), doc)
    if not isinstance(doc.data, dict):
        found = "a list" if isinstance(doc.data, list) else "plain text"
        raise SpecError.at(
            file,
            f"expected a mapping of fields at the top of the file, found {found}",
            line=1,
            col=1,
            hint="is this a YAML spec file?",
        )
    return doc


def walk_paths(data: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every path in a plain tree (used by tests and by rules that scan values)."""
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from walk_paths(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from walk_paths(v, (*path, i))
