"""How a scalar becomes a value: the YAML 1.2 core schema as ruamel's round-trip loader reads it.

One typing for the whole project (the table in ``tests/yamlio/test_scalars.py`` pins it):

- ``true``/``True``/``TRUE`` and the ``false`` spellings are booleans; ``yes``, ``no``, ``on``,
  ``off``, ``y`` and ``n`` stay strings (YAML 1.1 booleans are not YAML 1.2).
- ``~``, ``null``, ``Null``, ``NULL`` and nothing at all are ``None``.
- Integers as ruamel reads them: ``1_000`` is 1000, ``0b101`` is 5, ``0o17`` is 15, ``0x1F`` is
  31, and ``017`` is 17 (decimal: YAML 1.2 has no leading-zero octal).
- Floats (``1.10``, ``1e3``, ``.5``, ``.inf``, ``.nan``) are :class:`YamlFloat`: a float that
  keeps the text as written, so ``version: 1.10`` can still be told from ``1.1``.
- Timestamps stay the text as written (``2026-01-01`` is the string ``'2026-01-01'``): a spec
  wants the text, and an impossible date such as ``2026-13-45`` is then a model error at its
  position instead of a crash.
- Quoted scalars are always strings. Explicit core tags are honoured (``!!str 1.10`` is
  ``'1.10'``, ``!!int "7"`` is 7); a value that does not fit its tag is a user error. Other tags
  (``!Ref``, ``!!python/...``) are ignored: the value is read as if untagged, nothing is
  constructed from them.
"""

from __future__ import annotations

import math
import re
from typing import Any

TAG = "tag:yaml.org,2002:"
IMPLICIT = "?"
"""The tag the composer gives untagged scalars; resolved here."""


class YamlFloat(float):
    """A float that remembers how it was written (``1.10`` stays ``1.10`` as text)."""

    text: str

    def __new__(cls, value: float, text: str) -> YamlFloat:
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (YamlFloat, (float(self), self.text))


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NUMBER_START = frozenset("-+0123456789.")
_INT = re.compile(r"[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+")
_FLOAT = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)


class TagMismatchError(ValueError):
    """A scalar does not fit its explicit tag (``!!int abc``, ``!!set x``)."""


def plain(text: str) -> Any:
    """The value of an untagged plain scalar."""
    if not text or text[0] not in _NUMBER_START:
        if text in _NULLS:
            return None
        return _BOOLS.get(text, text)
    if _INT.fullmatch(text):
        number = to_int(text)
        if number is not None:
            return number
    if _FLOAT.fullmatch(text):
        return to_float(text)
    return text


def to_int(text: str) -> int | None:
    clean = text.replace("_", "")
    sign = -1 if clean.startswith("-") else 1
    digits = clean.lstrip("+-")
    base = {"0b": 2, "0o": 8, "0x": 16}.get(digits[:2].lower(), 10)
    if base != 10:
        digits = digits[2:]
    try:
        return sign * int(digits, base)
    except ValueError:
        return None


def to_float(text: str) -> YamlFloat | None:
    lowered = text.lower().replace("_", "")
    if lowered.endswith(".inf"):
        value = -math.inf if lowered.startswith("-") else math.inf
    elif lowered.endswith(".nan"):
        value = math.nan
    else:
        try:
            value = float(lowered)
        except ValueError:
            return None
    return YamlFloat(value, text)


def tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit tag; raises :class:`TagMismatchError`."""
    if not tag.startswith(TAG):
        return plain(text)  # a local or unknown tag: read as written, never constructed
    kind = tag[len(TAG) :]
    if kind in ("str", "timestamp", "binary"):
        return text
    if kind == "null":
        if text in _NULLS:
            return None
        raise TagMismatchError("is tagged !!null but holds a value")
    if kind == "bool":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise TagMismatchError("is tagged !!bool but is not true or false")
    if kind == "int":
        number = to_int(text.strip()) if _INT.fullmatch(text.strip()) else None
        if number is None:
            raise TagMismatchError("is tagged !!int but is not an integer")
        return number
    if kind == "float":
        value = to_float(text.strip()) if text.strip() else None
        if value is None:
            raise TagMismatchError("is tagged !!float but is not a number")
        return value
    if kind in ("map", "seq", "set", "omap", "pairs"):
        raise TagMismatchError(f"is tagged !!{kind} but is a single value")
    return plain(text)
