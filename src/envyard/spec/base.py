"""Shared model configuration and helpers for spec files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError


class SpecModel(BaseModel):
    """A frozen model of a user-written file section: unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class OpenSpecModel(BaseModel):
    """A frozen model that also keeps free, plugin-specific parameters (``model_extra``)."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)


def spec_error(
    message: str, hint: str | None = None, *, field: str | Sequence[str | int] | None = None
) -> PydanticCustomError:
    """A validation error whose text is shown as written (braces in it are safe).

    ``field`` names the child field the error is about, for errors raised by a model-level
    validator (so the message points at that key's line, not the mapping's).
    """
    path = [field] if isinstance(field, str) else list(field or [])
    ctx = {"message": message, "hint": hint, "field": path}
    return PydanticCustomError("envyard", "{message}", ctx)


def _to_str(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = getattr(value, "text", None)  # a YAML float keeps its written form: 1.10, not 1.1
    if isinstance(text, str):
        return text
    if isinstance(value, int | float):
        return str(value)
    return value


Text = Annotated[str, BeforeValidator(_to_str)]
"""A string that may be written as a bare number in YAML (``version: 1``, ``python: 3.10``)."""


def _tags(value: Any) -> Any:
    if isinstance(value, list):
        out: dict[str, Any] = {}
        for item in value:
            if isinstance(item, dict):
                out.update(item)
            else:
                out[str(item)] = ""
        return out
    if isinstance(value, dict):
        return {k: "" if v is None else _to_str(v) for k, v in value.items()}
    return value


Tags = Annotated[dict[str, str], BeforeValidator(_tags)]
"""Tags as a mapping; a list of names (``[GPU, Preview]``) means empty values."""

SchemaRef = Annotated[
    str | None,
    Field(default=None, alias="$schema", description="JSON Schema of this file (for editors)."),
]
