"""A YAML file as text plus its node tree: every value knows its exact span in the text.

Overrides edit these spans instead of re-dumping the whole document, so everything a rule did
not touch (comments, key order, quoting, indentation, ``False`` spelled as written) stays
byte-identical.

The node tree comes from libyaml through PyYAML's ``CSafeLoader`` when it is available (the
whole composition runs in C: ~0.1 ms for a component spec, 10-30x faster than ruamel's
composer, whose tag resolution is Python even with ``ruamel.yaml.clib``), else from ruamel's
composer. Both give the same node classes' shape and character-index marks. Plain scalars are
resolved here with the YAML 1.2 core schema (``yes`` stays a string), whichever composer ran.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from typing import Any

from envyard.errors import SpecError
from envyard.spec.document import MAX_NODES

Location = tuple[str | int, ...]
Node = Any
"""A composed node (PyYAML's or ruamel's: ``value``, ``tag``, ``style``, marks)."""

_TAG = "tag:yaml.org,2002:"
IMPLICIT = "?"
_NOT_PLAIN_STR = frozenset("~nNtTfF0123456789+-.")
"""The tag our composer gives untagged scalars: resolved by :func:`scalar_value`."""
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


_Backend = tuple[Callable[[str], Any], tuple[type[BaseException], ...], type, type, type]


def _pyyaml() -> _Backend | None:
    try:
        import yaml
    except ImportError:  # pragma: no cover - PyYAML is a dependency
        return None
    try:
        from yaml._yaml import CParser  # the libyaml binding (cyaml's loaders build on it)
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return None

    class _Parser(CParser):
        """libyaml's composer alone (no constructor to set up: we only need the nodes); tags
        of untagged nodes are left to :func:`scalar_value` (YAML 1.2, and fast)."""

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            """No path-based resolvers are registered: nothing to track."""

        def ascend_resolver(self) -> None:
            """See :meth:`descend_resolver`."""

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode:
                return IMPLICIT
            return _TAG + ("seq" if kind is yaml.SequenceNode else "map")

    def compose(text: str) -> Any:
        parser = _Parser(text)
        try:
            return parser.get_single_node()
        finally:
            parser.dispose()

    nodes = (yaml.MappingNode, yaml.SequenceNode, yaml.ScalarNode)
    return compose, (yaml.MarkedYAMLError, yaml.YAMLError), *nodes


def _ruamel() -> _Backend:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    yaml = YAML(typ="safe", pure=False)

    def compose(text: str) -> Any:
        return yaml.compose(StringIO(text))

    return compose, (MarkedYAMLError, YAMLError), MappingNode, SequenceNode, ScalarNode


_BACKEND = _pyyaml() or _ruamel()
_compose: Callable[[str], Any] = _BACKEND[0]
_ERRORS: tuple[type[BaseException], ...] = _BACKEND[1]
MappingNode: Any = _BACKEND[2]
SequenceNode: Any = _BACKEND[3]
ScalarNode: Any = _BACKEND[4]


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

    def position(self, location: Location) -> tuple[int, int]:
        """1-based (line, col) of the deepest existing node on the way to ``location``."""
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
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                return value
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    return None


def parse_yaml(text: str, file: str) -> YamlText:
    """Parse one YAML document; a syntax error is a SpecError at file:line:col."""
    try:
        node = _compose(text)
    except _ERRORS as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
        raise SpecError.at(
            file, f"not valid YAML: {problem}", line=line, col=col, hint="is this a YAML spec?"
        ) from None
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
    if "*" in text:  # aliases: refuse a document that expands to something huge
        _check_expansion(node, file)
    return YamlText(file, text, node, to_data(node, file))


def _check_expansion(root: Node, file: str) -> None:
    sizes: dict[int, int] = {}

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, SequenceNode):
            total += sum(size(v) for v in node.value)
        sizes[id(node)] = total
        if total > MAX_NODES:
            raise SpecError.at(
                file,
                f"holds more than {MAX_NODES:,} values once aliases are expanded",
                hint="a spec is never that large; look for anchors (&) reused in a loop",
            )
        return total

    size(root)


def to_data(node: Node, file: str = "<yaml>") -> Any:
    """Plain Python values (YAML 1.2 core schema) for a node tree; duplicate keys are errors."""
    if isinstance(node, MappingNode):
        out = {}
        for key_node, value_node in node.value:
            out[_key(key_node)] = _plain_text(value_node) or to_data(value_node, file)
        if len(out) != len(node.value):
            _duplicate(node, file)
        return out
    if isinstance(node, SequenceNode):
        return [_plain_text(v) or to_data(v, file) for v in node.value]
    return scalar_value(node)


def _plain_text(node: Node) -> str | None:
    """The value of an untagged scalar that can only be a non-empty string, else None: the
    common case, without the full resolution."""
    if type(node) is not ScalarNode or node.tag != IMPLICIT:
        return None
    text: str = node.value
    if text and (node.style or text[0] not in _NOT_PLAIN_STR):
        return text
    return None


def _duplicate(node: Node, file: str) -> None:
    seen: set[Any] = set()
    for key, _ in node.value:
        value = _key(key)
        if value in seen:
            raise SpecError.at(
                file,
                f"duplicate key '{value}'",
                line=key.start_mark.line + 1,
                col=key.start_mark.column + 1,
                hint="each key may appear once in a mapping; remove or merge the repeats",
            )
        seen.add(value)


def _key(node: Node) -> Any:
    text = node.value
    if node.tag == IMPLICIT and isinstance(text, str) and text and text[0] not in _NOT_PLAIN_STR:
        return text  # fast path: a plain key that cannot be a null, bool or number
    value = to_data(node)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def scalar_value(node: Node) -> Any:
    """The value of a scalar node as the YAML 1.2 core schema resolves it."""
    text: str = node.value
    tag: str = node.tag or ""
    if tag == IMPLICIT:
        kind = "str" if node.style else _resolve_plain(text)
    else:
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


def _resolve_plain(text: str) -> str:
    """The YAML 1.2 core-schema type of a plain scalar."""
    if not text or text[0] in "~nNtTfF":
        if _NULL.match(text):
            return "null"
        if _BOOL.match(text):
            return "bool"
        return "str"
    if text[0] in "0123456789+-.":
        if _INT.match(text):
            return "int"
        if _FLOAT.match(text):
            return "float"
    return "str"


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
