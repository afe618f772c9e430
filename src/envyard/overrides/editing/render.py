"""Write new values as YAML text that fits where the old value stood.

A replaced string keeps the old one's style (plain, 'single', "double", or a block scalar);
a plain string that would read back as something else (``true``, ``1.0``, ``a: b``), here or in
a YAML 1.1 reader such as PyYAML (``yes``, ``on``, ``2024-01-01``), is quoted.
New collections are written in block style at the indentation of their place, or in flow style
inside a flow collection.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

from envyard.overrides.editing.nodes import parse_yaml
from envyard.yamlio import plain_is_string

_PLAIN_SAFE = re.compile(r"^(?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:][^\s])[^\n]*$")
_PLAIN_BAD = re.compile(r":(\s|$)|\s#|\s$")


@lru_cache(maxsize=4096)
def plain_ok(value: str) -> bool:
    """Can ``value`` be written unquoted and read back as the same string?

    Cached: a staging writes the same new image, index or tag into many files.
    """
    if not value or not _PLAIN_SAFE.match(value) or _PLAIN_BAD.search(value):
        return False
    return plain_is_string(value)  # for Envyard and for YAML 1.1 readers (yes, 2024-01-01)


def render_scalar(value: Any, style: str | None = None, *, indent: int = 0) -> str:
    """One scalar as YAML text; ``style`` is the style of the value it replaces."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    if style in ("|", ">") and "\n" in text.rstrip("\n") and not text.startswith(" "):
        return _literal(text, indent + 2)
    if style == '"':
        return _double(text)
    if style == "'" or (style in (None, "") and not plain_ok(text)):
        return _single(text) if "\n" not in text and text.isprintable() else _double(text)
    if plain_ok(text):
        return text
    return _single(text) if "\n" not in text and text.isprintable() else _double(text)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _literal(text: str, indent: int) -> str:
    chomp = "-" if not text.endswith("\n") else ("+" if text.endswith("\n\n") else "")
    body = text[:-1] if text.endswith("\n") and chomp == "" else text
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.rstrip("\n").split("\n")]
    extra = "\n" * (len(body) - len(body.rstrip("\n")))
    return f"|{chomp}\n" + "\n".join(lines) + extra


def render_flow(value: Any) -> str:
    """A value in flow style on one line (``[a, b]``, ``{k: v}``) or a scalar."""
    if isinstance(value, dict):
        inner = ", ".join(f"{render_scalar(str(k))}: {render_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    text = render_scalar(value)
    if isinstance(value, str) and text == value and re.search(r"[,\[\]{}]", value):
        return _single(value)
    return text


def render_block(value: Any, indent: int) -> str:
    """A collection in block style; the first line unindented, the rest at ``indent``.

    The result has no trailing newline. Empty collections are written in flow style.
    """
    if not isinstance(value, dict | list) or not value:
        return render_flow(value)
    pad = " " * indent
    if isinstance(value, list):
        items = [
            "- " + (render_block(v, indent + 2) if isinstance(v, dict | list) else render_flow(v))
            for v in value
        ]
        return ("\n" + pad).join(items)
    entries = []
    for key, item in value.items():
        name = render_scalar(key) if isinstance(key, str) else render_flow(key)
        if isinstance(item, dict | list) and item:
            entries.append(f"{name}:\n{pad}  " + render_block(item, indent + 2))
        else:
            entries.append(f"{name}: {render_flow(item)}")
    return ("\n" + pad).join(entries)


def check_scalar_text(text: str, value: Any) -> bool:
    """Does ``text`` read back as ``value``? (used by tests and the final check)"""
    doc = parse_yaml(f"k: {text}\n", "<render>")
    return bool(doc.data["k"] == value)
