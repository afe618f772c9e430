"""The one name rule: what an environment, prerequisite, job or asset may be called.

A name is 1 to 128 characters: ASCII letters, digits, ``.``, ``_`` and ``-``, starting with a
letter, a digit or ``_`` (:data:`NAME_PATTERN`; OpenPAI accepts job names such as
``_nightly``). The whole value must match (``re.fullmatch``: a pattern ending in ``$`` would
also accept a trailing newline), so a name can never hold a control character, a space, a
slash, start with ``.`` (``..`` as a path, a hidden file, a ref component git refuses) or
start with ``-`` as an option: it is safe as a git ref component, a file name and a shell
word. Every edge where a name enters (spec files, REST bodies and paths, CLI arguments, the
SDK) checks it with :func:`check_name` or the pydantic :data:`Name` type; again where a name
becomes a ref or a path.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from envyard.errors import SpecError

NAME_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}"
"""The rule, unanchored: use it with ``re.fullmatch`` (see :func:`is_name`)."""

SCHEMA_PATTERN = f"^{NAME_PATTERN}$"
"""The rule for JSON Schema (ECMA-262, where ``$`` matches only at the very end)."""

NAME_HINT = (
    "use letters, digits, '.', '_' and '-' (at most 128), starting with a letter, digit or '_'"
)

_NAME = re.compile(NAME_PATTERN)


def is_name(value: object) -> bool:
    """True when ``value`` is a string that is a valid name, as a whole."""
    return isinstance(value, str) and _NAME.fullmatch(value) is not None


def check_name(value: str, what: str = "name", *, file: str = "<input>") -> str:
    """``value`` when it is a valid name, else a one-line user error (:class:`SpecError`)."""
    if is_name(value):
        return value
    raise SpecError.at(file, f"{_shown(value)} is not a valid {what}", field="name", hint=NAME_HINT)


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return "an empty name" if text == "" else f"'{text[:140]}'"


def _validate(value: str) -> str:
    if not is_name(value):
        raise PydanticCustomError(
            "envyard",
            "{message}",
            {"message": f"{_shown(value)} is not a valid name", "hint": NAME_HINT, "field": []},
        )
    return value


def _not_a_number(value: Any) -> Any:
    """``name: 7`` is the name '7', ``name: 1.10`` the name '1.10' (as written)."""
    if isinstance(value, bool):
        return value
    text = getattr(value, "text", None)  # a YAML float keeps its written form
    if isinstance(text, str):
        return text
    return str(value) if isinstance(value, int) else value


Name = Annotated[
    str,
    BeforeValidator(_not_a_number),
    AfterValidator(_validate),
    Field(json_schema_extra={"pattern": SCHEMA_PATTERN}),
]
"""A pydantic field type holding a valid name (a bare number such as ``7`` is the name ``'7'``)."""

__all__ = ["NAME_HINT", "NAME_PATTERN", "SCHEMA_PATTERN", "Name", "check_name", "is_name"]
