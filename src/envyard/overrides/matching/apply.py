"""Apply compiled rules to a document's data: select with JSONPath, then change each match.

See :mod:`envyard.overrides.matching.rules` for what each kind of rule does and in which order.
The new data is a copy made on write (:class:`Copy`): a mapping or list is copied when a rule
first changes it (with the containers above it), the rest is shared with the original, which
is never changed.
"""

from __future__ import annotations

from typing import Any

from envyard.overrides.matching.rules import (
    MISSING,
    NESTED,
    Change,
    Location,
    Rule,
    copy_data,
    same,
    substitute,
)


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
    new = Copy(data)
    changes = apply_to(new, rules, create=create)
    return new.data, changes[0], changes[1]


def apply_to(
    new: Copy, rules: tuple[Rule, ...], *, create: bool = True
) -> tuple[list[Change], set[int]]:
    """:func:`apply_rules` on a copy being made: (changes, indexes that acted)."""
    changes: list[Change] = []
    selected: set[int] = set()
    for index, rule in enumerate(rules):
        locations = select(rule, new.data)
        if locations:
            selected.add(index)
        elif create and _create(new, rule, changes):
            selected.add(index)
            continue
        if rule.remove:
            for loc in sorted(locations, key=_sort_key, reverse=True):
                parent = new.container(loc[:-1])
                changes.append(
                    Change(loc, parent[loc[-1]], MISSING, rule, rule.op_lines["$remove"])
                )
                del parent[loc[-1]]
            continue
        for loc in locations:
            _change_one(new, loc, rule, changes)
    return changes, selected


class Copy:
    """A copy of plain data made on write: ``data`` shares every mapping and list with the
    original until :meth:`container` is asked for it (to change it), which copies it and the
    containers above it that are still shared. The original is never changed."""

    __slots__ = ("_made", "data")
    data: Any

    def __init__(self, original: Any) -> None:
        self.data = original.copy() if isinstance(original, NESTED) else original
        self._made = {id(self.data): self.data}  # the copies (kept alive: ids stay unique)

    def container(self, location: Location) -> Any:
        """The mapping or list at ``location`` in ``data``, now safe to change."""
        node: Any = self.data
        made = self._made
        for part in location:
            child = node[part]
            if id(child) not in made:
                child = child.copy()
                node[part] = child
                made[id(child)] = child
            node = child
        return node


def select(rule: Rule, data: Any) -> list[Location]:
    """The locations ``rule``'s JSONPath selects in ``data`` (never the root itself).

    A singular path of names and indexes (the RFC's dotted form) is looked up directly, which
    is what RFC 9535 defines for it; anything else goes through the JSONPath engine.
    """
    path = rule.plain_path
    if path:
        node = data
        for part in path:
            node = _child(node, part)
            if node is MISSING:
                return []
        if any(isinstance(p, int) and p < 0 for p in path):
            return [tuple(n.location) for n in rule.query.finditer(data)]  # normalised indexes
        return [path]
    found = rule.walk(data) if rule.walk is not None else None
    if found is None:
        found = [tuple(n.location) for n in rule.query.finditer(data)]
    return [loc for loc in found if loc]


def _child(node: Any, part: str | int) -> Any:
    """``node[part]`` when it exists (a name in a mapping, an index in a list), else MISSING."""
    if isinstance(node, dict):
        return node.get(part, MISSING) if isinstance(part, str) else MISSING
    if isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
        return node[part]
    return MISSING


def _sort_key(location: Location) -> tuple[tuple[int, Any], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in location)


def _set(new: Copy, loc: Location, value: Any, rule: Rule, *, line: int, out: list[Change]) -> None:
    old = _get(new.data, loc)
    if old is value or same(old, value):
        return
    new.container(loc[:-1])[loc[-1]] = value
    out.append(Change(loc, old, value, rule, line))


def _change_one(new: Copy, loc: Location, rule: Rule, out: list[Change]) -> None:
    if rule.set_value is not MISSING:
        _set(new, loc, copy_data(rule.set_value), rule, line=rule.op_lines["$set"], out=out)
    value = _get(new.data, loc)
    if isinstance(value, dict):
        for pair in rule.pairs:
            if pair.pattern is not None and pair.pattern.groups:
                continue  # a regex with groups is a substitution, never a key to add
            if pair.old in value:
                _set(new, (*loc, pair.old), copy_data(pair.new), rule, line=pair.line, out=out)
            elif rule.add_keys:
                new.container(loc)[pair.old] = copy_data(pair.new)
                out.append(Change((*loc, pair.old), MISSING, pair.new, rule, pair.line))
    elif isinstance(value, list):
        for i, item in enumerate(list(value)):
            found = substitute(rule, item)
            if found is not None:
                _set(new, (*loc, i), found[0], rule, line=found[1].line, out=out)
    elif rule.pairs:
        found = substitute(rule, value)
        if found is not None:
            _set(new, loc, found[0], rule, line=found[1].line, out=out)
    _extend(new, loc, rule, out)


def _extend(new: Copy, loc: Location, rule: Rule, out: list[Change]) -> None:
    if not rule.append and not rule.prepend:
        return
    if not isinstance(_get(new.data, loc), list):
        return
    value = new.container(loc)
    for op, items in (("$prepend", reversed(rule.prepend)), ("$append", rule.append)):
        for item in items:
            if any(same(item, v) for v in value):
                continue
            at = 0 if op == "$prepend" else len(value)
            value.insert(at, copy_data(item))
            out.append(Change((*loc, at), MISSING, item, rule, rule.op_lines[op]))


def _create(new: Copy, rule: Rule, out: list[Change]) -> bool:
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
    node, depth = new.data, 0
    while depth < len(parts) - 1:
        found = _child(node, parts[depth])
        if found is MISSING:
            break
        node = found
        depth += 1
    rest = parts[depth:]
    if not isinstance(node, dict) or not all(isinstance(p, str) for p in rest) or rest[0] in node:
        return False
    for part in reversed(rest[1:]):
        value = {part: value}
    new.container(parts[:depth])[rest[0]] = value
    out.append(Change(rule.plain_path, MISSING, value, rule, rule.op_lines[op]))
    return True
