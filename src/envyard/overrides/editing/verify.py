"""Does an edited text read back as the intended data? The staged text is always parsed again.

:func:`reads_as` parses the whole new text (every syntax or structure problem is caught) and
compares what it reads as with the intended data. For text made by scalar edits, the
comparison reuses the original parse: a node the edits did not touch that is written exactly
as before (same kind, tag, style and text) reads as the same value as before, which is compared
with the intended value (by identity first: the rules copy untouched values as they are), and
only the edited places are converted and compared in full. A mapping or list the rules left
shared with the original (the intended value *is* the old one) is proven by its nodes alone:
written alike node for node, it reads as the old value. The walk only ever proves the two
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
from envyard.yamlio.scalars import TAG

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
    if () in edited:
        return same(to_data(node, doc.file), new_data)
    try:
        _Comparison(doc.file).node(doc.node, node, doc.data, new_data, _trie(edited))
    except _UnsureError:
        return same(to_data(node, doc.file), new_data)
    return True


Trie = dict[str | int, "Trie | None"]
"""The edited locations by part: None marks an edited place (compared in full)."""


def _trie(locations: Collection[Location]) -> Trie:
    root: Trie = {}
    for location in sorted(locations, key=len):
        level: Trie | None = root
        for part in location[:-1]:
            if level is None:
                break
            level = level.setdefault(part, {})
        if level is not None:
            level[location[-1]] = None
    return root


def _same_nodes(old_node: Node, node: Node) -> bool:
    """The two trees are written alike: same kinds, tags, styles and scalar texts, in the same
    order. Then they read as the same data (converting a tree depends on nothing else)."""
    kind = type(node)
    if kind is not type(old_node) or node.tag != old_node.tag:
        return False
    if kind is ScalarNode:
        return bool(node.value == old_node.value and node.style == old_node.style)
    items, old_items = node.value, old_node.value
    if len(items) != len(old_items):
        return False
    if kind is SequenceNode:
        return all(map(_same_nodes, old_items, items))
    for (key, value), (old_key, old_value) in zip(items, old_items, strict=True):
        if type(value) is ScalarNode:
            if not (
                type(old_value) is ScalarNode
                and value.value == old_value.value
                and value.style == old_value.style
                and value.tag == old_value.tag
            ):
                return False
        elif not _same_nodes(old_value, value):
            return False
        if not (
            type(key) is ScalarNode
            and type(old_key) is ScalarNode
            and key.value == old_key.value
            and key.style == old_key.style
            and key.tag == old_key.tag
        ) and not _same_nodes(old_key, key):
            return False
    return True


def _same_scalar(old_node: Node, node: Node, old: Any, new: Any) -> bool:
    """An untouched scalar written exactly as before reads as before: is that as intended?"""
    return (
        type(old_node) is ScalarNode
        and node.value == old_node.value
        and node.style == old_node.style
        and node.tag == old_node.tag
        and (old is new or same(old, new))
    )


class _Comparison:
    """The new node tree walked beside the original one and the old and intended data."""

    def __init__(self, file: str) -> None:
        self.file = file

    def child(self, old_node: Node, node: Node, old: Any, new: Any, below: Trie | None) -> None:
        """One mapping value or list item; ``below``: the edited places under it."""
        if below is None:
            if not same(to_data(node, self.file, aliases=False), new):
                raise _UnsureError  # the full comparison reports where
        elif type(node) is ScalarNode:
            if not _same_scalar(old_node, node, old, new):
                raise _UnsureError
        else:
            self.node(old_node, node, old, new, below)

    def node(self, old_node: Node, node: Node, old: Any, new: Any, edited: Trie) -> None:
        kind = type(node)
        if kind is not type(old_node) or node.tag != old_node.tag:
            raise _UnsureError
        if kind is ScalarNode:
            if not _same_scalar(old_node, node, old, new):
                raise _UnsureError
        elif len(node.value) != len(old_node.value):
            raise _UnsureError
        elif kind is SequenceNode:
            self.sequence(old_node, node, old, new, edited)
        else:
            self.mapping(old_node, node, old, new, edited)

    def sequence(self, old_node: Node, node: Node, old: Any, new: Any, edited: Trie) -> None:
        items = node.value
        if node.tag != _SEQ or not isinstance(new, list):
            raise _UnsureError
        if len(new) != len(items) or len(old) != len(items):
            raise _UnsureError
        for i, (item, old_item) in enumerate(zip(items, old_node.value, strict=True)):
            below = edited.get(i, _NONE) if edited else _NONE
            if below is not _NONE or type(item) is not ScalarNode:
                self.child(old_item, item, old[i], new[i], below)
            elif not _same_scalar(old_item, item, old[i], new[i]):
                raise _UnsureError

    def mapping(self, old_node: Node, node: Node, old: Any, new: Any, edited: Trie) -> None:
        pairs = node.value
        if node.tag != _MAP or not isinstance(new, dict):
            raise _UnsureError
        if len(new) != len(pairs) or len(old) != len(pairs):
            raise _UnsureError  # (also when a merge key adds keys)
        for (key, value), (old_key, old_value) in zip(pairs, old_node.value, strict=True):
            if type(key) is not ScalarNode or type(old_key) is not ScalarNode:
                raise _UnsureError
            name = key.value
            if name != old_key.value or key.style != old_key.style or key.tag != old_key.tag:
                raise _UnsureError
            if name == "<<" or key.tag == _MERGE:
                raise _UnsureError
            was, now = old.get(name, _NONE), new.get(name, _NONE)
            if was is _NONE or now is _NONE:
                raise _UnsureError
            below = edited.get(name, _NONE) if edited else _NONE
            if below is _NONE and was is now and type(value) is not ScalarNode:
                if not _same_nodes(old_value, value):  # the rules shared it: untouched
                    raise _UnsureError
            elif below is not _NONE or type(value) is not ScalarNode:
                self.child(old_value, value, was, now, below)
            elif not (  # an untouched scalar, inline: the common case
                type(old_value) is ScalarNode
                and value.value == old_value.value
                and value.style == old_value.style
                and value.tag == old_value.tag
                and (was is now or same(was, now))
            ):
                raise _UnsureError


_NONE: Trie = {}
"""No edited place below."""
