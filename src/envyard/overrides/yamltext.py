"""A YAML file as text plus its ruamel node tree: every value knows its exact span in the text.

Overrides edit these spans instead of re-dumping the whole document, so everything a rule did
not touch (comments, key order, quoting, indentation, ``False`` spelled as written) stays
byte-identical. ruamel's C composer is used when ``ruamel.yaml.clib`` is installed (about 8x
faster); the pure-Python one otherwise; both give the same nodes and marks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from io import StringIO
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from envyard.errors import SpecError

Location = tuple[str | int, ...]

_YAML: YAML | None = None
_TAG = "tag:yaml.org,2002:"


def _composer() -> YAML:
    global _YAML  # noqa: PLW0603 - one composer per process; building it is the slow part
    if _YAML is None:
        _YAML = YAML(typ="safe", pure=False)
    return _YAML


@dataclass
class YamlText:
    """One parsed file: ``text``, its root ``node`` and the plain ``data`` built from it."""

    file: str
    text: str
    node: Node
    data: Any

    def node_at(self, location: Location) -> Node | None:
        """The node holding the value at ``location`` in the original text, if any."""
        node: Node | None = self.node
        for part in location:
            node = child(node, part) if node is not None else None
        return node

    def line_of(self, location: Location) -> int:
        """1-based line of the deepest existing node on the way to ``location``."""
        node = self.node
        for part in location:
            found = child(node, part)
            if found is None:
                break
            node = found
        return int(node.start_mark.line) + 1


def child(node: Node, part: str | int) -> Node | None:
    """The value node under ``node`` for a mapping key or a sequence index."""
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                return value  # type: ignore[no-any-return]
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


def parse_yaml(text: str, file: str) -> YamlText:
    """Parse one YAML document; a syntax error is a SpecError at file:line:col."""
    try:
        node = _composer().compose(StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "could not be parsed"
        raise SpecError.at(
            file, f"not valid YAML: {problem}", line=line, col=col, hint="is this a YAML spec?"
        ) from None
    except YAMLError as exc:
        raise SpecError.at(file, f"not valid YAML: {exc}") from None
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
    return YamlText(file, text, node, to_data(node))


def to_data(node: Node) -> Any:
    """Plain Python values (YAML 1.2 core schema) for a node tree."""
    if isinstance(node, MappingNode):
        return {_key(k): to_data(v) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [to_data(v) for v in node.value]
    return scalar_value(node)


def _key(node: Node) -> Any:
    value = to_data(node)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def scalar_value(node: Node) -> Any:
    """The value of a scalar node as the YAML 1.2 core schema resolves it."""
    text: str = node.value
    tag: str = node.tag or ""
    kind = tag[len(_TAG) :] if tag.startswith(_TAG) else "str"
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() == "true"
    if kind == "int":
        return _int(text)
    if kind == "float":
        return _float(text)
    return text


def _int(text: str) -> int | str:
    clean = text.replace("_", "")
    try:
        if clean.lower().startswith(("0x", "-0x", "+0x")):
            return int(clean, 16)
        if clean.lower().startswith(("0o", "-0o", "+0o")):
            return int(clean.replace("o", "").replace("O", ""), 8)
        return int(clean)
    except ValueError:
        return text


def _float(text: str) -> float | str:
    lowered = text.lower().replace("_", "")
    if lowered in (".inf", "+.inf"):
        return math.inf
    if lowered == "-.inf":
        return -math.inf
    if lowered == ".nan":
        return math.nan
    try:
        return float(lowered)
    except ValueError:
        return text


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
