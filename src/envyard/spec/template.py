"""The strict ``<% ... %>`` template language of job commands (no eval, no HTML escaping).

A reference is one of::

    <% this.parameters.key %>    a free parameter of the prerequisite the command belongs to
    <% this.uri %>, <% this.uri[0] %>, <% this.name %>
    <% $parameters.x %>          the job's ``parameters`` (nested: ``$parameters.a.b[0]``)
    <% $secrets.x %>             the job's ``secrets`` (never written into a script)
    <% $data.uri[0] %>           the task role's old-style slot: $data, $script, $output,
                                 $dockerImage (fields: uri, name, parameters.key)

Parsing is pure (:func:`parse`); resolving (:func:`resolve`) looks a reference up in a
:class:`Scope` and returns a :class:`Literal` value or a :class:`SecretRef`. Anything unknown
is a :class:`TemplateError` whose message names the reference and what is known there.
This module depends on nothing but the standard library, so ``envyard.spec`` may use it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SLOTS",
    "Literal",
    "MissingValueError",
    "Ref",
    "Scope",
    "SecretRef",
    "TemplateError",
    "ValueRef",
    "parse",
    "references",
    "resolve",
    "secret_env_name",
]

SLOTS = ("data", "script", "output", "dockerImage")
_OPEN, _CLOSE = "<%", "%>"
_EXPR = re.compile(
    r"^(this|\$[A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\.\d+|\[\d+\])*)$"
)
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\.(\d+)")
"""A step: ``.key``, ``[N]``, or mustache's ``.N`` (OpenPAI renders with mustache: ``.1`` is
item 1 of a list, or the key ``1`` of a mapping)."""


class TemplateError(ValueError):
    """A malformed or unknown ``<% %>`` reference; the message says which and why."""


class MissingValueError(TemplateError):
    """A well-formed ``$parameters``/``$data``/... reference that names nothing. OpenPAI leaves
    such a reference in the command as written; Envyard does the same and warns."""


@dataclass(frozen=True)
class Ref:
    """One ``<% root.path %>`` reference; ``start``/``end`` are offsets in the source text."""

    root: str  # "this" or "$parameters", "$secrets", "$data", ...
    path: tuple[str | int, ...]
    text: str
    start: int
    end: int

    @property
    def group(self) -> str:
        return self.root.lstrip("$")


@dataclass(frozen=True)
class Literal:
    value: str


@dataclass(frozen=True)
class SecretRef:
    """A secret: the script reads it from the environment variable ``env``."""

    key: str
    env: str


@dataclass(frozen=True)
class ValueRef:
    """A value from outside the job file: the script reads it from the variable ``env``."""

    env: str
    value: str
    label: str  # what it is, for messages: "parameter lr", "$data.uri[0]"


@dataclass(frozen=True)
class Scope:
    """What references may name at one place (a prerequisite callback or a task role).

    ``outside`` lists the parameters whose values come from outside the file (submit-time
    ``--param``); ``outside_this`` and ``outside_slots`` mark prerequisites from the registry
    catalogue. Their values become :class:`ValueRef`s, never text of the script.
    """

    parameters: Mapping[str, Any]
    secrets: frozenset[str] | None  # None: secrets come from elsewhere, any key is accepted
    this: Mapping[str, Any] | None = None  # a prerequisite view: name, type, uri, parameters
    this_name: str = ""
    slots: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    outside: frozenset[str] = frozenset()
    outside_this: bool = False
    outside_slots: frozenset[str] = frozenset()


def parse(text: str) -> list[str | Ref]:
    """Split ``text`` into literal strings and references; malformed ``<% %>`` is an error."""
    parts: list[str | Ref] = []
    pos = 0
    while True:
        start = text.find(_OPEN, pos)
        if start < 0:
            if text.find(_CLOSE, pos) >= 0:
                raise TemplateError(f"'{_CLOSE}' without an opening '{_OPEN}'")
            parts.append(text[pos:])
            return [p for p in parts if p != ""]
        parts.append(text[pos:start])
        end = text.find(_CLOSE, start + 2)
        if end < 0:
            raise TemplateError(f"'{_OPEN}' is never closed with '{_CLOSE}'")
        inner = text[start + 2 : end].strip()
        match = _EXPR.match(inner)
        if not match:
            raise TemplateError(
                f"'<% {inner} %>' is not a reference (expected this.parameters.KEY, this.uri, "
                "$parameters.KEY, $secrets.KEY or $data.uri[N]; expressions are not evaluated)"
            )
        path = tuple(
            m.group(1) if m.group(1) is not None else int(m.group(2) or m.group(3))
            for m in _STEP.finditer(match.group(2))
        )
        parts.append(Ref(match.group(1), path, f"<% {inner} %>", start, end + 2))
        pos = end + 2


def references(text: str) -> list[Ref]:
    return [p for p in parse(text) if isinstance(p, Ref)]


def secret_env_name(key: str) -> str:
    """The environment variable that carries secret ``key`` into the bootstrap."""
    return "ENVYARD_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", key).upper()


def value_env_name(prefix: str, path: tuple[str | int, ...]) -> str:
    """The variable that carries an outside value: ``ENVYARD_PARAM_LR`` for ``$parameters.lr``.

    A name that had to be changed to fit (``batch-size``, ``uri[0]``) gets a short hash of the
    original, so two references never share a variable.
    """
    raw = ".".join(str(p) for p in path)
    name = re.sub(r"[^A-Za-z0-9]", "_", raw).upper()
    if not re.fullmatch(r"[A-Za-z0-9_]+", raw) or (raw != raw.lower() and raw != raw.upper()):
        name += "_" + hashlib.sha256(raw.encode()).hexdigest()[:6].upper()
    return f"ENVYARD_{prefix}_{name}"


def _walk(value: Any, path: tuple[str | int, ...], shown: str) -> Any:
    for i, step in enumerate(path):
        here = shown + "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in path[:i])
        if isinstance(step, int) and isinstance(value, Mapping):
            if str(step) not in value and step not in value:
                raise MissingValueError(f"{here} has no '{step}'")
            value = value[str(step)] if str(step) in value else value[step]
        elif isinstance(step, int):
            if isinstance(value, str) and step == 0:
                continue  # `uri[0]` of a single uri
            if not isinstance(value, list) or step >= len(value):
                size = len(value) if isinstance(value, list) else "no"
                raise MissingValueError(f"{here} has {size} items, [{step}] does not exist")
            value = value[step]
        else:
            if not isinstance(value, Mapping) or step not in value:
                known = ", ".join(sorted(map(str, value))) if isinstance(value, Mapping) else ""
                raise MissingValueError(
                    f"{here} has no '{step}'" + (f" (known: {known})" if known else "")
                )
            value = value[step]
    return value


def _text(value: Any, ref: Ref) -> str:
    if value is None:
        raise MissingValueError(f"{ref.text} is empty (null)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(getattr(value, "text", value))  # a YAML float as written: 1.0, 1e-3
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, list) and all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
    ):
        return ",".join(_text(v, ref) for v in value)  # OpenPAI (JavaScript): a,b,c
    return json.dumps(value, sort_keys=True, default=str)


def _outside(ref: Ref, value: str, prefix: str, path: tuple[str | int, ...]) -> ValueRef:
    return ValueRef(value_env_name(prefix, path), value, ref.text.strip("<%> "))


def resolve(ref: Ref, scope: Scope) -> Literal | SecretRef | ValueRef:
    """The value ``ref`` names in ``scope``; TemplateError when it names nothing."""
    if ref.root == "this":
        if scope.this is None:
            raise TemplateError(
                f"{ref.text}: 'this' only exists in a prerequisite's callbacks",
            )
        if not ref.path:
            raise TemplateError(f"{ref.text}: name a field, e.g. this.uri")
        try:
            text = _text(_walk(scope.this, ref.path, "this"), ref)
        except MissingValueError as exc:  # Envyard's own callbacks: no OpenPAI leniency
            raise TemplateError(str(exc)) from None
        if scope.outside_this:
            return _outside(ref, text, "VALUE", (scope.this_name, *ref.path))
        return Literal(text)
    group = ref.group
    if group == "parameters":
        if not ref.path:
            raise TemplateError(f"{ref.text}: name a parameter, e.g. $parameters.epochs")
        text = _text(_walk(scope.parameters, ref.path, "$parameters"), ref)
        if ref.path[0] in scope.outside:
            return _outside(ref, text, "PARAM", ref.path)
        return Literal(text)
    if group == "secrets":
        if len(ref.path) != 1 or not isinstance(ref.path[0], str):
            raise TemplateError(f"{ref.text}: name one secret, e.g. $secrets.token")
        key = ref.path[0]
        if scope.secrets is not None and key not in scope.secrets:
            known = ", ".join(sorted(scope.secrets)) or "none defined"
            raise TemplateError(f"{ref.text}: no secret '{key}' (known: {known})")
        return SecretRef(key, secret_env_name(key))
    if group in SLOTS:
        return _slot(ref, scope, group)
    raise TemplateError(
        f"{ref.text}: unknown reference '{ref.root}' (known: this, $parameters, $secrets, "
        + ", ".join(f"${s}" for s in SLOTS)
        + ")"
    )


def _slot(ref: Ref, scope: Scope, group: str) -> Literal | ValueRef:
    slot = scope.slots.get(group)
    if slot is None:
        raise MissingValueError(
            f"{ref.text}: this task role has no `{group}:` prerequisite to refer to"
        )
    if not ref.path:
        raise TemplateError(f"{ref.text}: name a field, e.g. ${group}.uri")
    text = _text(_walk(slot, ref.path, f"${group}"), ref)
    if group in scope.outside_slots:
        return _outside(ref, text, "VALUE", (group, *ref.path))
    return Literal(text)
