"""YAML (and JSON) parsed with the position of every key and value.

ruamel.yaml's round-trip loader keeps line/column marks; we turn the tree into plain Python
values for validation and keep a side table ``path -> (line, col)`` for error messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from io import StringIO
from typing import TYPE_CHECKING, Any

from envyard.errors import SpecError

if TYPE_CHECKING:  # ruamel is imported on first parse: fast readers rarely need it
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError

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
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


MAX_NODES = 200_000
"""More values than this (after aliases are expanded) is refused: a spec is never that big."""

_NUMBER = re.compile(r"[-+]?(?:\.?[0-9][0-9_.]*(?:[eE][-+]?[0-9]+)?|\.inf|\.Inf|\.INF|\.nan|\.NaN)")


class YamlFloat(float):
    """A float that remembers how it was written (``1.10`` stays ``1.10`` as text)."""

    text: str

    def __new__(cls, value: float, text: str) -> YamlFloat:
        made = super().__new__(cls, value)
        made.text = text
        return made


class _Converter:
    """Round-trip nodes -> plain values, recording positions, within a node budget."""

    def __init__(self, doc: Document, lines: list[str]) -> None:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        self._map, self._seq = CommentedMap, CommentedSeq
        self.doc = doc
        self.lines = lines
        self.nodes = 0

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise SpecError.at(
                self.doc.file,
                f"holds more than {MAX_NODES:,} values once aliases are expanded",
                hint="a spec is never that large; look for anchors (&) reused in a loop",
            )

    def plain(self, node: Any, path: Path_) -> Any:
        self._count()
        if isinstance(node, self._map):
            out: dict[str, Any] = {}
            for k, v in node.items():
                key = k if isinstance(k, str) else str(k)
                sub = (*path, key)
                kl, kc, vl, vc = self._positions(node, k)
                self.doc.keys[sub] = (kl + 1, kc + 1)
                self.doc.values[sub] = (vl + 1, vc + 1)
                out[key] = self.plain(v, sub)
            return out
        if isinstance(node, self._seq):
            items = []
            for i, v in enumerate(node):
                sub = (*path, i)
                line, col = node.lc.item(i)
                self.doc.keys[sub] = self.doc.values[sub] = (line + 1, col + 1)
                items.append(self.plain(v, sub))
            return items
        return self._scalar(node, path)

    @staticmethod
    def _positions(node: CommentedMap, k: Any) -> tuple[int, int, int, int]:
        """0-based (key line, key col, value line, value col) of ``k`` in ``node``.

        A key merged in with ``<<: *anchor`` has no position of its own (ruamel raises or
        returns None): the mapping's own position stands for it.
        """
        try:
            key, value = node.lc.key(k), node.lc.value(k)
        except KeyError:
            key = value = None
        if key is None or value is None:
            return node.lc.line, node.lc.col, node.lc.line, node.lc.col
        return key[0], key[1], value[0], value[1]

    def _scalar(self, node: Any, path: Path_) -> Any:
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return YamlFloat(float(node), self._source_text(path) or repr(float(node)))
        if isinstance(node, str):
            return str(node)
        if isinstance(node, dt.date | dt.datetime):
            return node.isoformat()
        return node

    def _source_text(self, path: Path_) -> str | None:
        line, col = self.doc.values.get(path, (0, 0))
        if not 0 < line <= len(self.lines):
            return None
        match = _NUMBER.match(self.lines[line - 1], col - 1)
        return match.group(0) if match else None


def _tab_diagnostic(text: str, file: str, error_line: int) -> SpecError | None:
    """A tab in the indentation of the line the parser stopped at (or the one before)."""
    lines = text.splitlines()
    for number in (error_line, error_line - 1):
        line = lines[number - 1] if 0 < number <= len(lines) else ""
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
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        docs = list(_yaml().load_all(StringIO(text)))
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = re.search(r'found duplicate key "([^"]*)"', str(exc))
        name = key.group(1) if key else "a key"
        raise SpecError.at(
            file,
            f"duplicate key '{name}' in this mapping",
            line=mark.line + 1 if mark else 0,
            col=mark.column + 1 if mark else 0,
            hint="each key may appear once in a mapping; remove or merge the repeats",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        tab = _tab_diagnostic(text, file, mark.line + 1) if mark else None
        raise (tab or _marked(exc, file, "not valid YAML")) from None
    except YAMLError as exc:
        raise SpecError.at(file, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise SpecError.at(
            file, "nested too deeply to be a spec", hint="is this a generated data file?"
        ) from None
    while len(docs) > 1 and docs[-1] is None:  # a trailing '---' (or '...') is harmless
        docs.pop()
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
    try:
        doc.data = _Converter(doc, text.splitlines()).plain(root, ())
    except RecursionError:
        raise SpecError.at(
            file, "nested too deeply to be a spec", hint="is this a generated data file?"
        ) from None
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
