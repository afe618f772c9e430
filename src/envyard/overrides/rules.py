"""Compiled override rules and how they change a document's data.

A rule selects fields with an RFC 9535 JSONPath (every match, so ``$..image`` and
``jobs.*.image`` really change every image) and changes each selected value:

1. ``$remove: true`` deletes it (and nothing else happens).
2. ``$set: VALUE`` replaces it whatever it was; a missing field on a plain path
   (``a.b.c``) is created, with missing parent mappings.
3. ``old: new`` pairs: a string (or a number/boolean, read as its YAML text) equal to an ``old``
   becomes ``new``; otherwise the first ``old`` that, as a regular expression, matches the whole
   value gives ``new`` with ``$1``/``${1}``/``\\1``/``${name}`` filled in. A list has each
   item substituted. A mapping (``tags``) gets every pair set or added as a key.
4. ``$prepend`` / ``$append`` add items to a list (skipping items it already holds), creating
   the list on a plain path when it is missing.

Rules apply in the order they are written; each sees what the previous ones did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from envyard.spec.overrides import Template, expand, parse_replacement

Location = tuple[str | int, ...]
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "(absent)"})()


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
) -> Rule:
    """Compile one rule; ``lines`` maps each entry of ``body`` to its line in ``file``."""
    pairs: list[Pair] = []
    literal: dict[str, Pair] = {}
    for old, new in body.items():
        if str(old).startswith("$"):
            continue
        pattern = re.compile(str(old))
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


def copy_data(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: copy_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_data(v) for v in value]
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
    """The new value for a scalar under ``rule``'s pairs and the pair used, or None."""
    text = _subject(value)
    if text is None:
        return None
    pair = rule.literal.get(text)
    if pair is not None:
        return copy_data(pair.new), pair
    for pair in rule.pairs:
        match = pair.pattern.fullmatch(text) if pair.pattern is not None else None
        if match is None:
            continue
        if pair.template is None:
            return copy_data(pair.new), pair
        return expand(pair.template, match), pair
    return None


def _get(data: Any, location: Location) -> Any:
    for part in location:
        data = data[part]
    return data


def apply_rules(
    data: Any, rules: tuple[Rule, ...], *, create: bool = True
) -> tuple[Any, list[Change], set[int]]:
    """Apply ``rules`` in order to a copy of ``data``: (new data, changes, indexes that acted).

    A rule "acted" when its JSONPath selected at least one field of this document (or created
    one). ``create=False`` (files a spec references) never creates missing fields.
    """
    new = copy_data(data)
    changes: list[Change] = []
    selected: set[int] = set()
    for index, rule in enumerate(rules):
        locations = [tuple(node.location) for node in rule.query.finditer(new)]
        locations = [loc for loc in locations if loc]
        if locations:
            selected.add(index)
        elif create and _create(new, rule, changes):
            selected.add(index)
            continue
        if rule.remove:
            for loc in sorted(locations, key=_sort_key, reverse=True):
                parent = _get(new, loc[:-1])
                changes.append(
                    Change(loc, parent[loc[-1]], MISSING, rule, rule.op_lines["$remove"])
                )
                del parent[loc[-1]]
            continue
        for loc in locations:
            _change_one(new, loc, rule, changes)
    return new, changes, selected


def _sort_key(location: Location) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in location)


def _set(data: Any, loc: Location, value: Any, rule: Rule, *, line: int, out: list[Change]) -> None:
    parent = _get(data, loc[:-1])
    old = parent[loc[-1]]
    if old is value or _same(old, value):
        return
    parent[loc[-1]] = value
    out.append(Change(loc, old, value, rule, line))


def _same(a: Any, b: Any) -> bool:
    from envyard.overrides.patch import same

    return same(a, b)


def _change_one(data: Any, loc: Location, rule: Rule, out: list[Change]) -> None:
    if rule.set_value is not MISSING:
        _set(data, loc, copy_data(rule.set_value), rule, line=rule.op_lines["$set"], out=out)
    value = _get(data, loc)
    if isinstance(value, dict):
        for pair in rule.pairs:
            if pair.old in value:
                _set(data, (*loc, pair.old), copy_data(pair.new), rule, line=pair.line, out=out)
            else:
                value[pair.old] = copy_data(pair.new)
                out.append(Change((*loc, pair.old), MISSING, pair.new, rule, pair.line))
    elif isinstance(value, list):
        for i, item in enumerate(list(value)):
            found = substitute(rule, item)
            if found is not None:
                _set(data, (*loc, i), found[0], rule, line=found[1].line, out=out)
    elif rule.pairs:
        found = substitute(rule, value)
        if found is not None:
            _set(data, loc, found[0], rule, line=found[1].line, out=out)
    _extend(data, loc, rule, out)


def _extend(data: Any, loc: Location, rule: Rule, out: list[Change]) -> None:
    if not rule.append and not rule.prepend:
        return
    value = _get(data, loc)
    if not isinstance(value, list):
        return
    for op, items in (("$prepend", reversed(rule.prepend)), ("$append", rule.append)):
        for item in items:
            if any(_same(item, v) for v in value):
                continue
            at = 0 if op == "$prepend" else len(value)
            value.insert(at, copy_data(item))
            out.append(Change((*loc, at), MISSING, item, rule, rule.op_lines[op]))


def _create(data: Any, rule: Rule, out: list[Change]) -> bool:
    """Create a missing field for ``$set`` / ``$append`` / ``$prepend`` on a plain path."""
    if rule.plain_path is None or not rule.plain_path or rule.remove:
        return False
    if rule.set_value is not MISSING:
        value, op = copy_data(rule.set_value), "$set"
    elif rule.append or rule.prepend:
        value = [copy_data(v) for v in (*rule.prepend, *rule.append)]
        op = "$append" if rule.append else "$prepend"
    else:
        return False
    parts = rule.plain_path
    node, depth = data, 0
    while depth < len(parts) - 1:
        part = parts[depth]
        in_map = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = (
            isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node)
        )
        if not (in_map or in_list):
            break
        node = node[part]
        depth += 1
    rest = parts[depth:]
    if not isinstance(node, dict) or not all(isinstance(p, str) for p in rest) or rest[0] in node:
        return False
    for part in reversed(rest[1:]):
        value = {part: value}
    node[rest[0]] = value
    out.append(Change(rule.plain_path, MISSING, value, rule, rule.op_lines[op]))
    return True
