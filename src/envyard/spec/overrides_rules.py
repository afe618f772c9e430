"""One rule of an override profile: its key (a JSONPath) and its value (pairs or operations).

A profile maps a JSONPath (RFC 9535; the RFC's dotted ``environment.docker.image`` is shorthand
for ``$.environment.docker.image``) to a rule. A rule is a mapping:

- ``old: new`` pairs, as in the RFC: an exact literal match is replaced; otherwise each key is a
  regular expression matched at the start of the value as shrike matches it, and ``$1``,
  ``${1}``, ``\\1``, ``\\g<1>`` or ``${name}`` in the replacement refer to its groups. On a
  mapping-valued field (``tags``) the pairs set or add entries.
- explicit operations the RFC cannot say: ``$set: VALUE`` (whatever the old value was, creating
  the field), ``$remove: true`` (delete the field), ``$append: VALUE|[VALUES]`` and
  ``$prepend: VALUE|[VALUES]`` (add to a list, creating it).

Rules apply in file order (each sees what the previous ones did); inside a rule: ``$remove``
(alone), ``$set``, substitutions, then ``$prepend``/``$append``. In a replacement, ``$$`` is a
literal ``$`` and ``\\\\`` a literal backslash. Here: the keys compiled, the replacements
parsed and expanded, and each rule's shape checked; the engine is :mod:`envyard.overrides`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from envyard.regexes import compile_user_regex

OPERATIONS = ("$set", "$remove", "$append", "$prepend")
_GROUP_REF = re.compile(r"\$\$|\\\\|\$\{(\w+)\}|\$(\d+)|\\(\d+)|\\g<(\w+)>")


@dataclass(frozen=True)
class GroupRef:
    """A reference to a regex group in a replacement: its number or name."""

    group: int | str


Template = tuple[str | GroupRef, ...]
"""A parsed replacement: literal text and group references."""
_SHORT_SEGMENT = re.compile(r"^(?:\*|[A-Za-z_][A-Za-z0-9_]*)$")


def to_jsonpath(key: str) -> str:
    """Normalise a rule key: RFC 9535 as is, or the dotted shorthand turned into RFC 9535."""
    if key.startswith("$"):
        return key
    prefix, body = ("$..", key[2:]) if key.startswith("..") else ("$.", key)
    out = []
    for seg in body.split("."):
        if not seg:
            raise ValueError(f"empty segment in '{key}'")
        if "[" in seg or _SHORT_SEGMENT.match(seg):
            out.append(seg)
        else:
            quoted = seg.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{quoted}']")
    text = prefix
    for i, seg in enumerate(out):
        text += seg if seg.startswith("[") else ("" if i == 0 else ".") + seg
    return text.replace(".[", "[").replace("$.[", "$[")


def compile_jsonpath(key: str) -> Any:
    """Compile a rule key with the RFC 9535 engine; ValueError says what is wrong."""
    import jsonpath_rfc9535 as jsonpath

    path = to_jsonpath(key)
    try:
        return jsonpath.compile(path)
    except Exception as exc:  # the engine raises its own error types
        raise ValueError(f"'{key}' is not a valid JSONPath: {exc}") from None


def parse_replacement(template: str, pattern: re.Pattern[str]) -> Template:
    """Split ``template`` into text and group references; ValueError names a missing group."""
    parts: list[str | GroupRef] = []
    pos = 0
    for match in _GROUP_REF.finditer(template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("$$", "\\\\"):
            parts.append(token[0])
            continue
        ref = next(g for g in match.groups() if g is not None)
        parts.append(GroupRef(_group(ref, pattern, token)))
    parts.append(template[pos:])
    return tuple(p for p in parts if p != "")


def _group(ref: str, pattern: re.Pattern[str], token: str) -> int | str:
    if ref.isdigit():
        number = int(ref)
        if number > pattern.groups:
            raise ValueError(
                f"'{token}' refers to group {number} but the expression has "
                f"{pattern.groups} group(s)"
            )
        return number
    if ref not in pattern.groupindex:
        raise ValueError(f"'{token}' refers to no named group (?P<{ref}>...) in the expression")
    return ref


def expand(template: Template, match: re.Match[str]) -> str:
    """The replacement text for one match (a group that did not take part is empty)."""
    return "".join(p if isinstance(p, str) else (match.group(p.group) or "") for p in template)


def rule_problem(path_key: str, rule: Any) -> tuple[str, str] | None:
    """What is wrong with one rule's shape, as (message, hint), or None."""
    if not isinstance(rule, dict) or not rule:
        return (
            f"the rule for '{path_key}' must be a non-empty mapping of old: new values",
            "e.g. `environment.docker.image: {'old/(.+)': 'new/$1'}` or `{$set: value}`",
        )
    for old in rule:
        key = str(old)
        if key.startswith("$"):
            if key not in OPERATIONS:
                return (
                    f"unknown operation '{key}' in the rule for '{path_key}'",
                    "operations are " + ", ".join(OPERATIONS),
                )
            continue
        try:
            pattern = compile_user_regex(key)
        except re.error as exc:
            return (
                f"'{key}' is not a valid regular expression: {exc}",
                "escape special characters with \\ (e.g. \\( ) to match them literally",
            )
        new = rule[old]
        if isinstance(new, str):
            try:
                parse_replacement(new, pattern)
            except ValueError as exc:
                return (f"replacement '{new}' for '{key}': {exc}", "use $1, ${1}, \\1 or ${name}")
    return _operation_problem(path_key, rule)


def _operation_problem(path_key: str, rule: dict[Any, Any]) -> tuple[str, str] | None:
    if "$remove" in rule:
        if rule["$remove"] is not True:
            return (f"'$remove' in the rule for '{path_key}' takes true", "write `$remove: true`")
        if len(rule) > 1:
            return (
                f"'$remove' cannot be combined with other entries in the rule for '{path_key}'",
                "a removed field has nothing left to change; split the rule",
            )
    return None
