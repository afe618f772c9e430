"""JSON Schemas of the spec kinds, for editors and for `envyard schema`.

pydantic names a field by its first alias; the other spellings a file may use
(``docker-image``, ``vm-image``...) are added as properties with the same schema.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from envyard.spec.diagnose import field_names, unwrap
from envyard.spec.kinds import kind_by_name

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _models(model: type[BaseModel], seen: dict[str, type[BaseModel]]) -> None:
    import typing

    if model.__name__ in seen:
        return
    seen[model.__name__] = model
    stack = [f.annotation for f in model.model_fields.values()]
    while stack:
        tp = stack.pop()
        for alt in unwrap(tp):
            if isinstance(alt, type) and issubclass(alt, BaseModel):
                _models(alt, seen)
            else:
                stack.extend(typing.get_args(alt))


def _add_aliases(node: dict[str, Any], model: type[BaseModel]) -> None:
    props = node.get("properties")
    if not isinstance(props, dict):
        return
    for name, info in model.model_fields.items():
        names = field_names(info, name)
        present = next((n for n in names if n in props), None)
        if present is None:
            continue
        for other in names:
            if other not in props:
                props[other] = {**props[present], "description": f"Same as '{present}'."}


def schema_for(kind: str) -> dict[str, Any]:
    found = kind_by_name(kind)
    schema = found.model.model_json_schema(by_alias=True, mode="validation")
    models: dict[str, type[BaseModel]] = {}
    _models(found.model, models)
    _add_aliases(schema, found.model)
    for name, sub in schema.get("$defs", {}).items():
        if name in models:
            _add_aliases(sub, models[name])
    return {
        "$schema": DRAFT,
        "$id": f"{kind}.schema.json",
        "description": found.summary,
        **schema,
    }


def schema_text(kind: str) -> str:
    return json.dumps(schema_for(kind), indent=2, sort_keys=False) + "\n"
