"""A YAML file as text plus its node tree: every value knows its exact span in the text.

Overrides edit these spans instead of re-dumping the whole document, so everything a rule did
not touch (comments, key order, quoting, indentation, ``False`` spelled as written) stays
byte-identical. The node tree and the typing of its values come from the project's one YAML
module (:func:`envyard.yamlio.compose`, :func:`envyard.yamlio.to_data`); this module only adds
what span edits need: the node at a path, and where a value's own text ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from envyard.errors import SpecError
from envyard.yamlio import MappingNode, Node, ScalarNode, SequenceNode, compose, to_data

__all__ = [
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "YamlText",
    "child",
    "empty_value_lead",
    "last_content_end",
    "line_start",
    "parse_yaml",
    "starts_line",
    "to_data",
]

Location = tuple[str | int, ...]


@dataclass
class YamlText:
    """One parsed file: ``text``, its root ``node`` and the plain ``data`` built from it."""

    file: str
    text: str
    node: Node
    data: Any
    _found: dict[Location, Node | None] = field(default_factory=dict, repr=False, compare=False)

    def node_at(self, location: Location) -> Node | None:
        """The node holding the value at ``location`` in the original text, if any (looked up
        once per location: the edit and the report both ask)."""
        if location in self._found:
            return self._found[location]
        node: Node | None = self.node
        for part in location:
            node = child(node, part) if node is not None else None
        self._found[location] = node
        return node

    def position(self, location: Location) -> tuple[int, int]:
        """1-based (line, col) of the deepest existing node on the way to ``location``."""
        found = self.node_at(location)
        if found is not None:
            return int(found.start_mark.line) + 1, int(found.start_mark.column) + 1
        node = self.node
        for part in location:
            found = child(node, part)
            if found is None:
                break
            node = found
        return int(node.start_mark.line) + 1, int(node.start_mark.column) + 1

    def line_of(self, location: Location) -> int:
        return self.position(location)[0]


def child(node: Node, part: str | int) -> Node | None:
    """The value node under ``node`` for a mapping key or a sequence index."""
    kind = type(node)  # (PyYAML's node classes: never subclassed)
    if kind is MappingNode and type(part) is str:
        for key, value in node.value:
            if key.value == part and type(key) is ScalarNode:
                return value
        return None
    if kind is SequenceNode and type(part) is int:
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


def parse_yaml(text: str, file: str) -> YamlText:
    """Parse one YAML document whose top is a mapping; every problem is a one-line SpecError."""
    node = compose(text, file)
    if node is None:
        raise SpecError.at(file, "file is empty", hint="a spec holds a mapping of fields")
    if not isinstance(node, MappingNode):
        raise SpecError.at(
            file,
            "expected a mapping of fields at the top of the file",
            line=node.start_mark.line + 1,
            col=node.start_mark.column + 1,
            hint="is this a YAML spec file?",
        )
    return YamlText(file, text, node, to_data(node, file, aliases="*" in text))


def last_content_end(text: str, node: Node) -> int:
    """Index just past the newline ending the last line that holds ``node``'s own content.

    Block collections' end marks run over trailing comments and blank lines (they end where the
    next token starts); this walks to the deepest last child and stops after its last character.
    """
    while isinstance(node, MappingNode | SequenceNode) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    start, end = node.start_mark.index, node.end_mark.index
    while end > start and text[end - 1] in " \t\r\n":
        end -= 1
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline + 1


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def starts_line(text: str, index: int) -> bool:
    """True when only spaces stand between the start of the line and ``index``."""
    return text[line_start(text, index) : index].strip(" ") == ""


def empty_value_lead(text: str, node: Node) -> str:
    """What must precede a value written where ``node`` holds nothing (``key:`` with no
    value, ``- `` with no item, ``{key}`` in a flow mapping): a space after ``:`` or ``-``, a
    ``: `` after a flow mapping's bare key, nothing after a space."""
    start = node.start_mark.index
    if node.end_mark.index != start or node.value != "" or node.style:
        return ""
    before = text[start - 1] if start > 0 else "\n"
    if before in " \t\n":
        return ""
    if before in ":-":
        return " "
    return ": "
