"""Compiled override rules (the engine applying them is :mod:`envyard.overrides.matching.apply`).

A rule selects fields with an RFC 9535 JSONPath (every match, so ``$..image`` and
``jobs.*.image`` really change every image) and changes each selected value:

1. ``$remove: true`` deletes it (and nothing else happens).
2. ``$set: VALUE`` replaces it whatever it was; a missing field on a plain path
   (``a.b.c``) is created, with missing parent mappings.
3. ``old: new`` pairs: a string (or a number/boolean, read as its YAML text) equal to an ``old``
   becomes ``new``; otherwise each ``old`` is a regular expression matched at the start of the
   value (``re.match``, as shrike does) and its matches are replaced (``re.sub``) by ``new`` with
   ``$1``/``${1}``/``\\1``/``\\g<1>``/``${name}`` filled in; the last that matches wins. A
   list has each item substituted. A mapping (``tags``) gets every pair set (or, in the RFC's
   layout, added) as a key, except pairs whose regex has groups: those are substitutions, so
   ``$..image`` rules leave an ``image:`` mapping alone.
4. ``$prepend`` / ``$append`` add items to a list (skipping items it already holds), creating
   the list on a plain path when it is missing.

Rules apply in the order they are written; each sees what the previous ones did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from envyard.overrides.matching.query import Walker, compile_walker
from envyard.regexes import compile_user_regex
from envyard.spec.overrides import Template, expand, parse_replacement

Location = tuple[str | int, ...]
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "(absent)"})()
NESTED = (dict, list)
"""For ``isinstance`` on hot paths: a union written in the call is built again at each call."""


@dataclass(frozen=True)
class Pair:
    old: str
    new: Any
    line: int
    pattern: re.Pattern[str] | None = None
    template: Template | None = None


@dataclass(frozen=True)
class Rule:
    """One JSONPath key of a profile, compiled; ``line`` is where it is written."""

    profile: str
    key: str
    jsonpath: str
    query: Any
    plain_path: Location | None
    file: str
    line: int
    col: int = 1
    pairs: tuple[Pair, ...] = ()
    literal: dict[str, Pair] = field(default_factory=dict)
    set_value: Any = MISSING
    remove: bool = False
    append: tuple[Any, ...] = ()
    prepend: tuple[Any, ...] = ()
    op_lines: dict[str, int] = field(default_factory=dict)
    add_keys: bool = True
    """On a mapping-valued field, pairs whose key is missing add it (RFC layout); shrike's
    layout only sets keys that exist."""
    walk: Walker | None = field(default=None, compare=False, repr=False)
    """The query evaluated directly on plain data (:mod:`.query`), if it can."""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Change:
    """One field a rule changed: ``old`` is MISSING for a created field, ``new`` for a removed."""

    location: Location
    old: Any
    new: Any
    rule: Rule
    line: int

    @property
    def field(self) -> str:
        """The field path as users write it: ``environment.docker.image``, ``pip[1]``."""
        from envyard.spec.diagnose import format_path

        return format_path(self.location)

    def __iter__(self) -> Iterator[Any]:
        """``field, old, new, rule = change``."""
        return iter((self.field, self.old, self.new, self.rule))


def build_rule(
    profile: str,
    key: str,
    body: dict[str, Any],
    *,
    query: Any,
    file: str,
    lines: dict[str, int],
    col: int = 1,
    add_keys: bool = True,
) -> Rule:
    """Compile one rule; ``lines`` maps each entry of ``body`` to its line in ``file``."""
    pairs: list[Pair] = []
    literal: dict[str, Pair] = {}
    for old, new in body.items():
        if str(old).startswith("$"):
            continue
        pattern = compile_user_regex(str(old))
        template = parse_replacement(new, pattern) if isinstance(new, str) else None
        pair = Pair(str(old), new, lines.get(str(old), 0), pattern, template)
        pairs.append(pair)
        literal.setdefault(str(old), pair)
    return Rule(
        profile=profile,
        key=key,
        jsonpath=query_text(query),
        query=query,
        plain_path=_plain_path(query),
        file=file,
        line=lines.get("", 0),
        col=col,
        pairs=tuple(pairs),
        literal=literal,
        set_value=body.get("$set", MISSING),
        remove=body.get("$remove") is True,
        append=_items(body.get("$append", ())),
        prepend=_items(body.get("$prepend", ())),
        op_lines={k: lines.get(k, 0) for k in body if str(k).startswith("$")},
        walk=compile_walker(query),
        add_keys=add_keys,
    )


def query_text(query: Any) -> str:
    return str(query)


def _items(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _plain_path(query: Any) -> Location | None:
    """The path of a query made only of single names/indexes (``$.a.b[0]``), else None."""
    out: list[str | int] = []
    for segment in query.segments:
        if type(segment).__name__ != "JSONPathChildSegment" or len(segment.selectors) != 1:
            return None
        selector = segment.selectors[0]
        kind = type(selector).__name__
        if kind == "NameSelector":
            out.append(selector.name)
        elif kind == "IndexSelector":
            out.append(selector.index)
        else:
            return None
    return tuple(out)


def same(a: Any, b: Any) -> bool:
    """Deep equality that tells ``1`` from ``True`` and ``1.0``."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and (a == b or (a != a and b != b))  # noqa: PLR0124 - NaN


def copy_data(value: Any) -> Any:
    """A deep copy of plain data (scalars shared: they are immutable)."""
    if isinstance(value, dict):
        return {k: copy_data(v) if isinstance(v, NESTED) else v for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) if isinstance(v, NESTED) else v for v in value]
    return value


def _subject(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def substitute(rule: Rule, value: Any) -> tuple[Any, Pair] | None:
    """The new value for a scalar under ``rule``'s pairs and the pair used, or None.

    As shrike 2.0.2 does it: a value equal to an ``old`` key gets its ``new`` value; else every
    ``old`` key is a regular expression tried with ``re.match`` (anchored at the start only), and
    each one that matches replaces its occurrences (``re.sub``) in the original value — the
    last one that matches gives the result.
    """
    text = _subject(value)
    if text is None:
        return None
    pair = rule.literal.get(text)
    if pair is not None:
        return copy_data(pair.new), pair
    found: tuple[Any, Pair] | None = None
    for pair in rule.pairs:
        pattern = pair.pattern
        if pattern is None or pattern.match(text) is None:
            continue
        if pair.template is None:
            found = copy_data(pair.new), pair
        else:
            found = pattern.sub(_replacer(pair.template), text), pair
    return found


def _replacer(template: Template) -> Callable[[re.Match[str]], str]:
    return lambda match: expand(template, match)
