"""Evaluate the common JSONPath shapes straight on plain data, without the engine's node objects.

Rule keys are almost always names, indexes, wildcards and ``..`` (``$..image``,
``jobs.*.image``, ``$..pip[*]``). For those, :func:`compile_walker` returns a function giving
the same locations in the same order as the RFC 9535 engine (``jsonpath_rfc9535``): segments
apply one after the other to every node selected so far, a descendant segment visits the
nodes depth-first in pre-order (only mappings and lists are descended into), and the
selectors of a segment apply in the order they are written. Filters and slices — and a
document nested deeper than the engine's recursion limit, so that its error is raised as
before — are left to the engine (the walker returns None). A test compares both on random
documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_NESTED = (dict, list)  # a union written in isinstance() is built again at each call

Location = tuple[str | int, ...]
Walker = Callable[[Any], list[Location] | None]
_Found = list[tuple[Location, Any]]
_Selector = tuple[str, Any]  # ("name", str) | ("index", int) | ("wild", None)


class _TooDeepError(Exception):
    """Deeper than the engine allows: let the engine raise its own error."""


def compile_walker(query: Any) -> Walker | None:
    """A walker for ``query`` (a compiled RFC 9535 query), or None for shapes it does not do."""
    steps: list[tuple[bool, tuple[_Selector, ...]]] = []
    for segment in query.segments:
        kind = type(segment).__name__
        if kind not in ("JSONPathChildSegment", "JSONPathRecursiveDescentSegment"):
            return None
        selectors: list[_Selector] = []
        for selector in segment.selectors:
            name = type(selector).__name__
            if name == "NameSelector":
                selectors.append(("name", selector.name))
            elif name == "IndexSelector":
                selectors.append(("index", selector.index))
            elif name == "WildcardSelector":
                selectors.append(("wild", None))
            else:
                return None
        steps.append((kind == "JSONPathRecursiveDescentSegment", tuple(selectors)))
    limit = int(getattr(query.env, "max_recursion_depth", 100))
    if getattr(query.env, "nondeterministic", False):
        return None
    frozen = tuple(steps)

    def walk(data: Any) -> list[Location] | None:
        current: _Found = [((), data)]
        try:
            for descend, selectors in frozen:
                found: _Found = []
                for location, value in current:
                    if descend:
                        visited: _Found = []
                        _visit(location, value, 1, limit, visited)
                        for here, node in visited:
                            _select(selectors, here, node, found)
                    else:
                        _select(selectors, location, value, found)
                current = found
        except _TooDeepError:
            return None
        return [location for location, _ in current]

    return walk


def _visit(location: Location, value: Any, depth: int, limit: int, out: _Found) -> None:
    if depth > limit:
        raise _TooDeepError
    out.append((location, value))
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, _NESTED):
                _visit((*location, key), item, depth + 1, limit, out)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, _NESTED):
                _visit((*location, index), item, depth + 1, limit, out)


def _select(selectors: tuple[_Selector, ...], location: Location, value: Any, out: _Found) -> None:
    for kind, arg in selectors:
        if kind == "name":
            if isinstance(value, dict) and arg in value:
                out.append(((*location, arg), value[arg]))
        elif kind == "index":
            if isinstance(value, list) and -len(value) <= arg < len(value):
                out.append(((*location, arg % len(value)), value[arg]))
        elif isinstance(value, dict):
            out.extend(((*location, key), item) for key, item in value.items())
        elif isinstance(value, list):
            out.extend(((*location, index), item) for index, item in enumerate(value))
