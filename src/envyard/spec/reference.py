"""Markdown reference of every spec kind, generated from the JSON Schemas (docs/specs.md)."""

from __future__ import annotations

from typing import Any

from envyard.spec.kinds import KINDS
from envyard.spec.schema import schema_for


def _type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(_type(n) for n in node[key])
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    kind = node.get("type", "any")
    if kind == "array":
        return f"list of {_type(node.get('items', {}))}"
    if kind == "object" and "additionalProperties" in node:
        extra = node["additionalProperties"]
        if isinstance(extra, dict):
            return f"mapping of {_type(extra)}"
    return str(kind)


def _table(node: dict[str, Any]) -> list[str]:
    props: dict[str, Any] = node.get("properties", {})
    required = set(node.get("required", []))
    lines = ["| field | type | required | default | description |", "|---|---|---|---|---|"]
    for name, prop in props.items():
        value = prop.get("default")
        default = f"`{value}`" if value not in (None, "", [], {}) else ""
        desc = str(prop.get("description", "")).replace("|", "\\|").replace("\n", " ")
        req = "yes" if name in required else ""
        lines.append(f"| `{name}` | {_type(prop)} | {req} | {default} | {desc} |")
    if node.get("additionalProperties") is True:
        lines.append("| *(any other key)* | any | | | free parameter, kept for plugins |")
    return lines


def reference_markdown() -> str:
    out = [
        "# Spec file reference",
        "",
        "Generated from the JSON Schemas in `schemas/` by `make schemas`; do not edit by hand.",
        "Validate files with `envyard validate PATH`; point your editor at the schema with",
        "`$schema: <kind>.schema.json` (or the committed file's path).",
        "",
    ]
    for name, kind in KINDS.items():
        schema = schema_for(name)
        out += [f"## {name}", "", kind.summary, "", *_table(schema), ""]
        for def_name, sub in schema.get("$defs", {}).items():
            if "properties" in sub:
                out += [f"### {def_name}", "", *_table(sub), ""]
    return "\n".join(out)
