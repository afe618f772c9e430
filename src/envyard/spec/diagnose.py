"""Turn pydantic validation errors into ``file:line:col field.path: message`` diagnostics.

The model class is walked alongside the data so that aliases (``docker-image`` for ``image``)
point at the key the user wrote, union tags are dropped from paths, and an unknown field gets a
"did you mean" suggestion from the fields allowed at that place.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any, Union

from pydantic import AliasChoices, BaseModel, ValidationError
from pydantic.fields import FieldInfo

from envyard.errors import Diagnostic
from envyard.yamlio import Document, Path_, format_path

__all__ = ["describe", "diagnostics_from", "format_path"]

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


# --- walking the model type alongside the data -------------------------------------------


def unwrap(tp: Any) -> list[Any]:
    """The concrete alternatives of a type: Annotated/Optional/Union are opened up."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return unwrap(typing.get_args(tp)[0])
    if origin in (Union, types.UnionType):
        return [alt for arg in typing.get_args(tp) for alt in unwrap(arg)]
    return [tp]


def field_names(info: FieldInfo, name: str) -> list[str]:
    """The field's name followed by every alias that can spell it in a file."""
    names = [info.alias] if info.alias else [name]
    alias = info.validation_alias
    if isinstance(alias, str):
        names.insert(0, alias)
    elif isinstance(alias, AliasChoices):
        names.extend(str(c) for c in alias.choices if isinstance(c, str))
    return list(dict.fromkeys(names))


def _model_field(model: type[BaseModel], key: str) -> tuple[FieldInfo, list[str]] | None:
    for name, info in model.model_fields.items():
        names = field_names(info, name)
        if key in names:
            return info, names
    return None


def _step(tp: Any, seg: str | int) -> Any:
    for alt in unwrap(tp):
        origin = typing.get_origin(alt)
        if isinstance(alt, type) and issubclass(alt, BaseModel) and isinstance(seg, str):
            found = _model_field(alt, seg)
            if found:
                return found[0].annotation
        if origin in (list, tuple, typing.Sequence) and isinstance(seg, int):
            return typing.get_args(alt)[0]
        if origin is dict and isinstance(seg, str):
            return typing.get_args(alt)[1]
    return None


def field_description(model: type[BaseModel], path: Path_) -> str | None:
    """The description of the field at ``path`` (used as a hint for missing fields)."""
    if not path or not isinstance(path[-1], str):
        return None
    tp: Any = model
    for seg in path[:-1]:
        tp = _step(tp, seg)
    for alt in unwrap(tp):
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            found = _model_field(alt, path[-1])
            if found and found[0].description:
                return found[0].description.rstrip(".")
    return None


def allowed_keys(model: type[BaseModel], path: Path_) -> list[str] | None:
    """Keys a model accepts at ``path`` (a mapping), or None if it is not a model there."""
    tp: Any = model
    for seg in path:
        tp = _step(tp, seg)
        if tp is None:
            return None
    for alt in unwrap(tp):
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            return [n for name, f in alt.model_fields.items() for n in field_names(f, name)]
    return None


def data_path(model: type[BaseModel], data: Any, loc: tuple[str | int, ...]) -> Path_:
    """Map a pydantic ``loc`` onto the keys the user actually wrote.

    Drops union tags and function-validator markers, and replaces a canonical field name by
    the alias present in the data.
    """
    out: list[str | int] = []
    node: Any = data
    tp: Any = model
    for seg in loc:
        if isinstance(node, dict) and isinstance(seg, str):
            if seg in node:
                out.append(seg)
                node, tp = node[seg], _step(tp, seg)
                continue
            names = _aliases_at(tp, seg)
            present = [n for n in names if n in node]
            if present:
                out.append(present[0])
                node, tp = node[present[0]], _step(tp, seg)
                continue
            if names:  # a missing field: name it, stop descending
                out.append(seg)
                node, tp = None, None
                continue
            continue  # a union tag or validator marker: not a key of the file
        if isinstance(node, list) and isinstance(seg, int):
            out.append(seg)
            node = node[seg] if seg < len(node) else None
            tp = _step(tp, seg)
            continue
        if node is None and isinstance(seg, str) and out[-1:] != [seg]:
            continue
        if isinstance(seg, str) and tp is not None and _aliases_at(tp, seg):
            out.append(seg)
    return tuple(out)


def _aliases_at(tp: Any, seg: str) -> list[str]:
    if tp is None:
        return []
    for alt in unwrap(tp):
        if isinstance(alt, type) and issubclass(alt, BaseModel):
            found = _model_field(alt, seg)
            if found:
                return found[1]
        if typing.get_origin(alt) is dict:
            return [seg]
    return []


# --- messages -------------------------------------------------------------------------


def _message(err: Any, model: type[BaseModel], path: Path_) -> tuple[str, str | None]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    if kind == "missing":
        name = str(path[-1]) if path else "?"
        return f"required field '{name}' is missing", field_description(model, path)
    if kind == "extra_forbidden":
        name = str(path[-1]) if path else "?"
        choices = allowed_keys(model, path[:-1]) or []
        close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
        if close:
            return f"unknown field '{name}'", f"did you mean '{close[0]}'?"
        shown = ", ".join(sorted(dict.fromkeys(choices))) if choices else "none"
        return f"unknown field '{name}'", f"allowed fields here: {shown}"
    if kind in _TYPE_NAMES:
        hint = None
        if kind == "string_type" and isinstance(given, dict) and len(given) == 1:
            hint = "a ': ' inside unquoted text starts a mapping; put the text in quotes"
        return f"expected {_TYPE_NAMES[kind]}, got {describe(given)}", hint
    if kind in ("literal_error", "enum"):
        return f"{describe(given)} is not allowed; use one of {ctx.get('expected', '?')}", None
    if kind == "envyard":
        return str(err["msg"]), ctx.get("hint")
    if kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
        return text, None
    if kind == "string_pattern_mismatch":
        return f"{describe(given)} does not match the pattern {ctx.get('pattern')}", None
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return (
            f"needs at least {least} item{'s' if least != 1 else ''}, got {describe(given)}",
            None,
        )
    if kind == "too_long":
        return f"allows at most {ctx.get('max_length')} items", None
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"{describe(given)} is out of range: {err['msg'].lower()}", None
    return str(err["msg"]), None


def diagnostics_from(
    exc: ValidationError, model: type[BaseModel], doc: Document, *, base: Path_ = ()
) -> list[Diagnostic]:
    """One diagnostic per problem, sorted by position in the file."""
    found: dict[tuple[Path_, str], Diagnostic] = {}
    for err in exc.errors(include_url=False):
        path = data_path(model, _sub(doc.data, base), tuple(err["loc"]))
        extra_field = (err.get("ctx") or {}).get("field")
        if err["type"] == "envyard" and extra_field:
            path = (*path, *extra_field)
        full = (*base, *path)
        message, hint = _message(err, model, path)
        line, col = doc.position(full, key=err["type"] in ("extra_forbidden", "missing"))
        found.setdefault(
            (full, message),
            Diagnostic(doc.file, line, col, format_path(full), message, hint),
        )
    return sorted(_drop_explained(found.values()), key=lambda d: (d.line, d.col, d.field))


def _drop_explained(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """A misspelt key is one mistake: keep "unknown field 'nmae' (did you mean 'name'?)" and
    drop the "required field 'name' is missing" it explains."""
    items = list(diagnostics)
    suggested = {
        (d.field.rsplit(".", 1)[0] if "." in d.field else "", d.hint[len("did you mean '") : -2])
        for d in items
        if d.hint and d.hint.startswith("did you mean '")
    }
    return [
        d
        for d in items
        if not (
            d.message.startswith("required field '")
            and (d.field.rsplit(".", 1)[0] if "." in d.field else "", d.field.rsplit(".", 1)[-1])
            in suggested
        )
    ]


def _sub(data: Any, base: Path_) -> Any:
    for seg in base:
        data = data[seg]
    return data
