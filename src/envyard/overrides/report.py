"""What a staging changed, for people: a unified diff per file and a rule-by-rule explanation."""

from __future__ import annotations

import difflib
from typing import Any

from envyard.overrides.matching.rules import MISSING, Change
from envyard.overrides.staging.model import FilePlan, Plan
from envyard.spec.diagnose import format_path


def file_diff(file: FilePlan) -> str:
    """The unified diff of one staged file against its original ('' when unchanged)."""
    if not file.changed or file.text is None or file.new_text is None:
        return ""
    name = file.rel.as_posix()
    lines = difflib.unified_diff(
        file.text.splitlines(keepends=True),
        file.new_text.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def plan_diff(plan: Plan) -> str:
    return "".join(file_diff(f) for f in plan.files)


def show(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, default=str)


def describe(change: Change) -> str:
    """``field: old -> new  (rule 'key' of profile P at file:line)``."""
    rule = change.rule
    return (
        f"{format_path(change.location)}: {show(change.old)} -> {show(change.new)}"
        f"  (rule '{rule.key}' of profile '{rule.profile}' at {rule.file}:{change.line})"
    )


def explain_plan(plan: Plan) -> str:
    """Every changed field of every staged file, and the rules that changed nothing."""
    out: list[str] = []
    if plan.target is not None:
        t = plan.target
        profile = f"profile '{t.profile_key}'" if t.profile_key else "no override profile"
        where = f" from {t.overrides.file}" if t.overrides and t.profile_key else ""
        out.append(f"target '{t.target.name}' ({t.source}): {profile}{where}")
    out.extend(plan.notes)
    for file in plan.files:
        if not file.changes:
            continue
        name = file.rel.as_posix()
        for change, line in zip(file.changes, file.lines, strict=True):
            out.append(f"{name}:{line} {describe(change)}")
    if not any(f.changes for f in plan.files):
        out.append("no field changed")
    out.extend(w.render() for w in plan.warnings)
    return "\n".join(out) + "\n"
