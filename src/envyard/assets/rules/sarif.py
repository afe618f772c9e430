"""SARIF 2.1.0 output for ``envyard asset validate --format sarif`` (code-scanning UIs)."""

from __future__ import annotations

from typing import Any

from envyard import __version__
from envyard.assets.rules.table import Rule
from envyard.errors import Diagnostic

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def to_sarif(diagnostics: list[Diagnostic], rules: dict[str, Rule]) -> dict[str, Any]:
    used = sorted({d.rule or "AST001" for d in diagnostics})
    rule_index = {rid: i for i, rid in enumerate(used)}
    descriptors = [
        {
            "id": rid,
            "name": rules[rid].name if rid in rules else rid,
            "shortDescription": {"text": rules[rid].summary if rid in rules else rid},
            "defaultConfiguration": {"level": rules[rid].severity if rid in rules else "error"},
        }
        for rid in used
    ]
    results = []
    for d in diagnostics:
        rid = d.rule or "AST001"
        text = d.message + (f" (hint: {d.hint})" if d.hint else "")
        if d.field:
            text = f"{d.field}: {text}"
        location: dict[str, Any] = {"artifactLocation": {"uri": d.file}}
        if d.line > 0:
            location["region"] = {"startLine": d.line, "startColumn": max(d.col, 1)}
        results.append(
            {
                "ruleId": rid,
                "ruleIndex": rule_index[rid],
                "level": "error" if d.severity == "error" else "warning",
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "envyard",
                        "version": __version__,
                        "informationUri": "https://github.com/envyard/envyard",
                        "rules": descriptors,
                    }
                },
                "results": results,
            }
        ],
    }
