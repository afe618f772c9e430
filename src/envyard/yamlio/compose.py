"""Text -> node tree with libyaml (PyYAML's C parser); every syntax problem is one SpecError.

Nodes are PyYAML's ``MappingNode``/``SequenceNode``/``ScalarNode``: ``value``, ``tag``,
``style``, ``flow_style`` and ``start_mark``/``end_mark`` (``line``, ``column``, ``index`` into
the text). Untagged scalars carry the tag :data:`~envyard.yamlio.scalars.IMPLICIT`; their type
is decided by :mod:`envyard.yamlio.scalars`, never by PyYAML's YAML 1.1 resolver.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from envyard.errors import SpecError
from envyard.yamlio.scalars import IMPLICIT, TAG

try:
    from yaml._yaml import CParser as _Base

    FAST = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml: same nodes, slower
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Base(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

    FAST = False

MappingNode = yaml.MappingNode
SequenceNode = yaml.SequenceNode
ScalarNode = yaml.ScalarNode
Node = Any
"""A composed node (a PyYAML node class)."""

_SEQ, _MAP = TAG + "seq", TAG + "map"
_TAB_INDENT = re.compile(r"( *)\t")

MAX_DEPTH = 500
"""Deepest nesting of collections composed. libyaml's composer recurses in C: some builds stop
at 1000 levels, others have no limit and crash the process (a segmentation fault at ~100,000).
Texts that could nest this deep are checked on the event stream first (:func:`_check_depth`)."""
_OPENERS = ("[", "{", "- ", "-\n", ": ", ":\n", "? ")
_INDICATORS = b"[{-:?"
"""The first characters of :data:`_OPENERS`: counting them bounds the openers."""
_LINE_PREFIX = re.compile(r"^[ ?:-]*", re.MULTILINE)
_START = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Composer(_Base):
    """The composer alone: no constructor, no YAML 1.1 implicit typing.

    There are no path resolvers to track, but the composer calls ``descend_resolver(node,
    index)`` and ``ascend_resolver()`` around every node: both are C callables that do nothing
    useful (a lookup in an empty dict, an empty tuple), not bound as methods, ~2x cheaper than
    calling a Python method that does nothing (6% of composing a spec, callgrind).
    """

    descend_resolver: Any = {}.get  # (node, index) -> index; the result is ignored
    ascend_resolver: Any = tuple  # () -> (); the result is ignored

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return IMPLICIT
        return _SEQ if kind is SequenceNode else _MAP


def compose_all(text: str, file: str) -> list[Node]:
    """Every document's root node (an empty trailing document after ``---`` dropped)."""
    parser = None
    try:
        _check_depth(text, file)
        parser = _Composer(text)
        docs = []
        while parser.check_node():
            docs.append(parser.get_node())
    except yaml.MarkedYAMLError as exc:
        raise syntax_error(exc, text, file) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except UnicodeEncodeError as exc:  # a lone surrogate in a str given to us directly
        raise _at_char(
            file, text, exc.start, "holds a character that is not valid Unicode"
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else _one_line(str(exc))
        raise SpecError.at(file, f"not valid YAML: {detail}", line=1, col=1) from None
    finally:
        if parser is not None:
            parser.dispose()
    while len(docs) > 1 and _empty(docs[-1]):
        docs.pop()
    return docs


def _check_depth(text: str, file: str) -> None:
    """A SpecError where collections nest deeper than :data:`MAX_DEPTH`, before composing.

    Two bounds, counted at C speed, clear every ordinary file; only the rest are parsed to
    events here. A text cannot open more collections than it has characters, nor more than it
    has collection indicators, nor more than it has their first characters (counted first, in
    one pass over the UTF-8 bytes: ASCII bytes only ever stand for themselves). And a
    block collection nests in another only at a greater indentation or further right on a
    compact line (``- - key:``), at most two levels per column, so block nesting is bounded by
    the longest run of spaces and indicators that starts a line; flow nesting by the brackets
    (node properties, ``&`` and ``!``, counted too). A syntax error met on the way is left for
    the composer, which stops at the same place.
    """
    if len(text) <= MAX_DEPTH:
        return
    encoded = text.encode("utf-8", "surrogatepass")  # ASCII bytes are never part of others
    if len(encoded) - len(encoded.translate(None, _INDICATORS)) <= MAX_DEPTH:  # one C pass
        return
    if sum(map(text.count, _OPENERS)) <= MAX_DEPTH:
        return
    prefix = max(map(len, _LINE_PREFIX.findall(text)), default=0)
    flow = sum(text.count(char) for char in "[{&!")
    if 2 * (prefix + 2) + flow <= MAX_DEPTH:
        return
    parser = _Composer(text)
    depth = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, _START):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
                    raise SpecError.at(
                        file,
                        f"not valid YAML: collections nested more than {MAX_DEPTH} levels deep",
                        line=line,
                        col=col,
                        hint="is this a generated data file?",
                    )
            elif isinstance(event, _END):
                depth -= 1
    except yaml.YAMLError:
        return
    finally:
        parser.dispose()


def compose(text: str, file: str = "<yaml>") -> Node | None:
    """The root node of the one document in ``text`` (None when it is empty)."""
    docs = compose_all(text, file)
    if len(docs) > 1:
        second = docs[1].start_mark
        raise SpecError.at(
            file,
            f"holds {len(docs)} YAML documents; expected one",
            line=second.line + 1,
            col=second.column + 1,
            hint="split the '---' separated documents into separate files",
        )
    if not docs or _empty(docs[0]):
        return None
    return docs[0]


def _empty(node: Node) -> bool:
    return type(node) is ScalarNode and node.tag == IMPLICIT and not node.style and not node.value


def syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> SpecError:
    """One line for a libyaml scanner/parser/composer error, with the place it stopped."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    tab = _tab_hint(text, file, line)
    if tab is not None:
        return tab
    problem = exc.problem or "could not be parsed"
    if exc.context and exc.context_mark and exc.context_mark is not mark:
        where = f"line {exc.context_mark.line + 1}"
        problem = f"{problem} ({exc.context} at {where})"
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    hint = None
    if "expected ':'" in problem or "mapping values are not allowed" in problem:
        hint = "a key is followed by ': ' and its value; quote values that hold ': '"
    elif "undefined alias" in problem:
        hint = "define the anchor (&name) before the alias (*name) that uses it"
    return SpecError.at(
        file, f"not valid YAML: {_one_line(problem)}", line=line, col=col, hint=hint
    )


def _reader_error(exc: Any, text: str, file: str) -> SpecError:
    """libyaml's "unacceptable character" error: its position is a UTF-8 byte offset."""
    position = int(getattr(exc, "position", 0) or 0)
    if FAST:
        position = len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace"))
    char = getattr(exc, "character", None)
    code = f"U+{char:04X}" if isinstance(char, int) else "a character"
    return _at_char(
        file,
        text,
        position,
        f"holds {code}, which YAML does not allow (control characters are not text)",
        hint='remove it, or write it as an escape inside double quotes ("\\x01")',
    )


def _at_char(file: str, text: str, index: int, message: str, hint: str | None = None) -> SpecError:
    line = text.count("\n", 0, index) + 1
    col = index - text.rfind("\n", 0, index)
    return SpecError.at(file, message, line=line, col=col, hint=hint)


def _tab_hint(text: str, file: str, error_line: int) -> SpecError | None:
    """A tab in the indentation of the line the parser stopped at (or the one before)."""
    lines = text.split("\n")
    for number in (error_line, error_line - 1):
        match = _TAB_INDENT.match(lines[number - 1]) if 0 < number <= len(lines) else None
        if match:
            return SpecError.at(
                file,
                "tab character used for indentation; YAML allows spaces only",
                line=number,
                col=len(match.group(1)) + 1,
                hint="replace the tab with spaces",
            )
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
