"""Node tree -> plain data (dict, list, str, int, YamlFloat, bool, None), positions on request.

One walk serves both: :func:`to_data` builds the data; with tables given it also records
``path -> (line, col)`` for keys and values (the lazy position tables of a Document). Merge keys
(``<<: *base``) are expanded; a duplicate key, a list or mapping used as a key, an alias that
contains itself and more than :data:`MAX_NODES` values after alias expansion are one-line
SpecErrors at the place they were written.
"""

from __future__ import annotations

import contextlib
from typing import Any

from envyard.errors import SpecError
from envyard.yamlio.compose import MappingNode, Node, ScalarNode, SequenceNode
from envyard.yamlio.paths import MAX_NODES, Path_, Position, format_path
from envyard.yamlio.scalars import IMPLICIT, TAG, TagMismatchError, plain, tagged

_MERGE = TAG + "merge"
_WRONG_FOR_MAP = frozenset(
    TAG + k for k in ("seq", "str", "int", "float", "bool", "null", "omap", "pairs")
)
_WRONG_FOR_SEQ = frozenset(TAG + k for k in ("map", "set", "str", "int", "float", "bool", "null"))
_KIND = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "a value"}


class _Walk:
    def __init__(
        self,
        file: str,
        keys: dict[Path_, Position] | None = None,
        values: dict[Path_, Position] | None = None,
        *,
        aliases: bool = True,
    ) -> None:
        self.file = file
        self.keys = keys
        self.values = values
        self.count = 0
        self.aliases = aliases  # without aliases a tree has no cycles to look for
        self.active: set[int] = set()

    def error(self, node: Node, path: Path_, message: str, hint: str | None = None) -> SpecError:
        mark = node.start_mark
        return SpecError.at(
            self.file,
            message,
            line=mark.line + 1,
            col=mark.column + 1,
            field=format_path(path),
            hint=hint,
        )

    def value(self, node: Node, path: Path_) -> Any:
        if type(node) is not ScalarNode:
            return self.collection(node, path)
        self.count += 1
        if node.tag == IMPLICIT:
            return node.value if node.style else plain(node.value)
        try:
            return tagged(node.tag, node.value)
        except TagMismatchError as exc:
            raise self.error(node, path, f"{exc}", "remove the tag or fix the value") from None

    def collection(self, node: Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError.at(
                self.file,
                f"holds more than {MAX_NODES:,} values once aliases are expanded",
                line=node.start_mark.line + 1,
                col=node.start_mark.column + 1,
                hint="a spec is never that large; look for anchors (&) reused in a loop",
            )
        walk = self.mapping if type(node) is MappingNode else self.sequence
        if not self.aliases:
            return walk(node, path)
        ident = id(node)
        if ident in self.active:
            raise self.error(node, path, "an alias (*name) refers to a value that contains it")
        self.active.add(ident)
        try:
            return walk(node, path)
        finally:
            self.active.discard(ident)

    def sequence(self, node: Node, path: Path_) -> list[Any]:
        if node.tag in _WRONG_FOR_SEQ:
            raise self.error(node, path, f"is tagged !!{node.tag[len(TAG) :]} but is a list")
        items = []
        keys, values = self.keys, self.values
        for i, item in enumerate(node.value):
            if keys is None and type(item) is ScalarNode and item.tag == IMPLICIT:
                self.count += 1  # the common case, inline
                items.append(item.value if item.style else plain(item.value))
                continue
            sub = (*path, i)
            if keys is not None and values is not None:
                mark = item.start_mark
                keys[sub] = values[sub] = (mark.line + 1, mark.column + 1)
            items.append(self.value(item, sub))
        return items

    def mapping(self, node: Node, path: Path_) -> Any:
        if node.tag in _WRONG_FOR_MAP:
            raise self.error(node, path, f"is tagged !!{node.tag[len(TAG) :]} but is a mapping")
        out: dict[str, Any] = {}
        merges: list[Node] = []
        keys, values = self.keys, self.values
        for key_node, value_node in node.value:
            if type(key_node) is not ScalarNode:
                raise self.error(
                    key_node,
                    path,
                    f"a key must be a single value, found {_KIND.get(type(key_node), 'a node')}",
                    "write the key as plain text; '?' starts a complex key",
                )
            key = key_node.value
            if (key == "<<" and key_node.tag == IMPLICIT and not key_node.style) or (
                key_node.tag == _MERGE
            ):
                merges.append(value_node)
                continue
            if key in out:
                raise self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' in this mapping",
                    "each key may appear once in a mapping; remove or merge the repeats",
                )
            if keys is None and type(value_node) is ScalarNode and value_node.tag == IMPLICIT:
                self.count += 1  # the common case, inline
                out[key] = value_node.value if value_node.style else plain(value_node.value)
                continue
            sub = (*path, key)
            if keys is not None and values is not None:
                mark = key_node.start_mark
                keys[sub] = (mark.line + 1, mark.column + 1)
                mark = value_node.start_mark
                values[sub] = (mark.line + 1, mark.column + 1)
            out[key] = self.value(value_node, sub)
        if merges:
            self.merge(merges, path, out)
        if node.tag == TAG + "set":
            return list(out)
        return out

    def merge(self, merges: list[Node], path: Path_, out: dict[str, Any]) -> None:
        """``<<: *base`` or ``<<: [*a, *b]``: keys not written here come from the bases
        (earlier bases win); their positions are those in the base."""
        explicit = set(out)
        keys, values = self.keys, self.values
        if keys is not None and values is not None:
            self.keys, self.values = {}, {}
        try:
            for value_node in merges:
                bases = value_node.value if type(value_node) is SequenceNode else [value_node]
                for base in bases:
                    if type(base) is not MappingNode:
                        hint = "write <<: *anchor"
                        raise self.error(base, path, "'<<' merges mappings only", hint)
                    for key, value in self.value(base, path).items():
                        if key not in out:
                            out[key] = value
        finally:
            found_keys, found_values = self.keys, self.values
            self.keys, self.values = keys, values
        if keys is not None and values is not None and found_keys and found_values:
            depth = len(path)
            for table, found in ((keys, found_keys), (values, found_values)):
                for where, position in found.items():
                    if where[depth] not in explicit:
                        table.setdefault(where, position)


def to_data(node: Node, file: str = "<yaml>", *, aliases: bool = True) -> Any:
    """The plain value of ``node`` (YAML 1.2 core typing); raises a one-line SpecError.

    ``aliases=False`` (the text holds no ``*``) skips the search for self-referencing aliases.
    """
    try:
        return _Walk(file, aliases=aliases).value(node, ())
    except RecursionError:
        raise _too_deep(file) from None


def collect(node: Node, keys: dict[Path_, Position], values: dict[Path_, Position]) -> None:
    """Fill the position tables of ``node``'s tree (same walk as :func:`to_data`)."""
    with contextlib.suppress(SpecError, RecursionError):  # to_data raised these first
        _Walk("<yaml>", keys, values, aliases=False).value(node, ())


def _too_deep(file: str) -> SpecError:
    return SpecError.at(
        file, "nested too deeply to be a spec", line=1, col=1, hint="is this a generated data file?"
    )
