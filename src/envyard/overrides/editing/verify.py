"""Does an edited text read back as the intended data? The staged text is always parsed again.

:func:`reads_as` parses the whole new text (every syntax or structure problem is caught) and
compares what it reads as with the intended data. For text made by scalar edits, the
comparison reuses the original parse: a node the edits did not touch that is written exactly
as before (same kind, tag, style and text) reads as the same value as before, which is compared
with the intended value (by identity first: the rules copy untouched values as they are), and
only the edited places are converted and compared in full. The walk only ever proves the two
equal: anything it does not (a difference, merge keys, ``!!set``, another shape) is decided by
converting the whole new tree and comparing it in full.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from envyard.overrides.editing.nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlText,
    parse_yaml,
    to_data,
)
from envyard.overrides.matching.rules import Location, same
from envyard.yamlio import compose
from envyard.yamlio.scalars import IMPLICIT, TAG

_MAP, _SEQ, _MERGE = TAG + "map", TAG + "seq", TAG + "merge"


class _UnsureError(Exception):
    """Not shown equal by the walk (a difference, or a construct it leaves to the full
    comparison, which then decides)."""


def reads_as(
    doc: YamlText, text: str, new_data: Any, edited: Collection[Location] | None = None
) -> bool:
    """``text`` (``doc``'s text after edits) parses and reads as ``new_data``.

    ``edited``: the locations whose values the edits rewrote (a location's whole subtree is
    compared in full), for text made by scalar edits of ``doc`` without anchors; None compares
    everything in full. Raises SpecError when ``text`` is not valid YAML.
    """
    if edited is None:
        return same(parse_yaml(text, doc.file).data, new_data)
    node = compose(text, doc.file)
    if not isinstance(node, MappingNode):
        return same(parse_yaml(text, doc.file).data, new_data)  # raises the usual error
    try:
        _Comparison(set(edited), doc.file).node(doc.node, node, doc.data, new_data, ())
    except _UnsureError:
        return same(to_data(node, doc.file), new_data)
    return True


class _Comparison:
    """The new node tree walked beside the original one and the old and intended data."""

    def __init__(self, edited: set[Location], file: str) -> None:
        self.edited = edited
        self.file = file

    def node(self, old_node: Node, node: Node, old: Any, new: Any, where: Location) -> None:
        if where in self.edited:
            if not same(to_data(node, self.file, aliases=False), new):
                raise _UnsureError  # the full comparison reports where
            return
        kind = type(node)
        if kind is not type(old_node) or node.tag != old_node.tag:
            raise _UnsureError
        if kind is ScalarNode:
            if node.value != old_node.value or node.style != old_node.style:
                raise _UnsureError
            if not (old is new or same(old, new)):  # untouched: reads as the old value
                raise _UnsureError
        elif len(node.value) != len(old_node.value):
            raise _UnsureError
        elif kind is SequenceNode:
            self.sequence(old_node, node, old, new, where)
        else:
            self.mapping(old_node, node, old, new, where)

    def sequence(self, old_node: Node, node: Node, old: Any, new: Any, where: Location) -> None:
        items = node.value
        if node.tag != _SEQ:
            raise _UnsureError
        if not isinstance(new, list) or len(new) != len(items) or len(old) != len(items):
            raise _UnsureError
        for i, (item, old_item) in enumerate(zip(items, old_node.value, strict=True)):
            self.node(old_item, item, old[i], new[i], (*where, i))

    def mapping(self, old_node: Node, node: Node, old: Any, new: Any, where: Location) -> None:
        pairs = node.value
        if node.tag != _MAP:
            raise _UnsureError
        if not isinstance(new, dict) or len(new) != len(pairs) or len(old) != len(pairs):
            raise _UnsureError  # (also when a merge key adds keys)
        for (key, value), (old_key, old_value) in zip(pairs, old_node.value, strict=True):
            if type(key) is not ScalarNode or type(old_key) is not ScalarNode:
                raise _UnsureError
            name = key.value
            if name != old_key.value or key.style != old_key.style or key.tag != old_key.tag:
                raise _UnsureError
            if (name == "<<" and key.tag == IMPLICIT and not key.style) or key.tag == _MERGE:
                raise _UnsureError
            if name not in new or name not in old:
                raise _UnsureError
            self.node(old_value, value, old[name], new[name], (*where, name))
