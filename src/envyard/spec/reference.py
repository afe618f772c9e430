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


_COMMON = [
    "## Names",
    "",
    "Environments, prerequisites, jobs and assets are named by one rule (`envyard.names`): 1 to",
    "128 ASCII letters, digits, `.`, `_` and `-`, starting with a letter, a digit or `_` (OpenPAI",
    "accepts job names such as `_nightly`). The whole value must match, so a name never holds a",
    "newline, a control character, a space or a `/`, and never starts with `-` or `.`: it is",
    "safe as a git ref, a file name and a shell word. A spec",
    "file, a REST body or a CLI argument with another name is refused (exit 1, HTTP 422); a",
    "reference to one (`GET /api/v1/environments/seed%0A`) finds nothing (HTTP 404).",
    "",
    "## How YAML is read",
    "",
    "Every file is read by one module (`envyard.yamlio`) with the YAML 1.2 core schema:",
    "",
    "| written | read as |",
    "|---|---|",
    "| `true`, `True`, `FALSE` | a boolean |",
    "| `yes`, `no`, `on`, `off`, `y`, `n` | a string (YAML 1.1 booleans are not YAML 1.2) |",
    "| `~`, `null`, `Null`, nothing | null |",
    "| `1_000`, `0b101`, `0o17`, `0x1F`, `017` | 1000, 5, 15, 31, 17 |",
    "| `1.10`, `1e3`, `.5`, `.inf`, `.nan` | a number that keeps its text: `version: 1.10` "
    "stays `1.10` where a string is expected |",
    "| `2026-01-01`, `2026-01-01T10:00:00Z` | the text as written (never a date object) |",
    "| `'1.10'`, `!!str 1.10` | the string `1.10` |",
    '| `!!int "7"`, `!!float 3` | 7, 3.0; a value that does not fit its tag is an error |',
    "| `!Ref x` (any other tag) | the value as if untagged; nothing is constructed from tags |",
    "",
    'Keys are the text as written (`1:` is the key `"1"`). Merge keys (`<<: *base`) are',
    "expanded. Refused, each as one `file:line:col` line: duplicate keys, a list or mapping as",
    "a key, tabs in indentation, control characters, an alias that contains itself, more than",
    "200,000 values once aliases are expanded, more than one document. Text from the file is",
    "printed escaped (`\\n`, `\\x00`), so it cannot forge a line of output.",
    "",
]


def reference_markdown() -> str:
    out = [
        "# Spec file reference",
        "",
        "Generated from the JSON Schemas in `schemas/` by `make schemas`; do not edit by hand.",
        "Validate files with `envyard validate PATH`; point your editor at the schema with",
        "`$schema: <kind>.schema.json` (or the committed file's path).",
        "",
        *_COMMON,
    ]
    for name, kind in KINDS.items():
        schema = schema_for(name)
        out += [f"## {name}", "", kind.summary, "", *_table(schema), ""]
        for def_name, sub in schema.get("$defs", {}).items():
            if "properties" in sub:
                out += [f"### {def_name}", "", *_table(sub), ""]
    return "\n".join(out)
