"""Override profiles (the ``tenant_overrides`` block, the RFC's layout and shrike's) and targets.

The files' models and their checks for ``envyard validate``; what one rule says and how its key
and replacements are compiled is :mod:`envyard.spec.overrides_rules` (its names are exported
here too). The engine is :mod:`envyard.overrides`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from envyard.names import Name
from envyard.spec.base import OpenSpecModel, SchemaRef, SpecModel
from envyard.spec.findings import Finding
from envyard.spec.overrides_rules import (
    OPERATIONS,
    GroupRef,
    Template,
    compile_jsonpath,
    expand,
    parse_replacement,
    rule_problem,
    to_jsonpath,
)

__all__ = [
    "INDEX_REMOVAL",
    "OPERATIONS",
    "SHRIKE_SETTINGS",
    "GroupRef",
    "OverridesFile",
    "Target",
    "TargetsFile",
    "Template",
    "check_overrides",
    "check_targets",
    "compile_jsonpath",
    "expand",
    "is_shrike_layout",
    "parse_replacement",
    "profile_block",
    "rule_problem",
    "setting_bool",
    "to_jsonpath",
]

SHRIKE_SETTINGS = ("allow_override", "keep_modified_files", "mapping")
"""The keys of shrike 2.0.2's layout: ``tenant_overrides: {allow_override, keep_modified_files,
mapping: {PROFILE: ...}}`` (the RFC's layout puts the profiles directly under it)."""
INDEX_REMOVAL = "remove_polymer_pkg_idx"


class OverridesFile(OpenSpecModel):
    """A file with a ``tenant_overrides`` block; other top-level keys are left alone.

    Two layouts: the RFC's (profiles directly under ``tenant_overrides``) and shrike's
    (``allow_override``, ``keep_modified_files`` and the profiles under ``mapping``). Their
    shape is checked by :func:`check_overrides`, which reports every problem with its line.
    """

    schema_: SchemaRef
    tenant_overrides: dict[str, Any] = Field(
        description="RFC layout: profile key (tenant id, target name, workspace or aml config "
        "name) -> JSONPath -> rule. shrike layout: allow_override (bool), keep_modified_files "
        "(bool), mapping (profile key -> JSONPath -> rule, plus remove_polymer_pkg_idx)."
    )


def is_shrike_layout(block: Any) -> bool:
    return isinstance(block, dict) and any(k in block for k in SHRIKE_SETTINGS)


def profile_block(block: Any) -> tuple[Any, tuple[str, ...]]:
    """The profiles of a ``tenant_overrides`` block and their path in the file."""
    if is_shrike_layout(block):
        return block.get("mapping") or {}, ("tenant_overrides", "mapping")
    return block, ("tenant_overrides",)


_YAML11_BOOLS = {"yes": True, "on": True, "y": True, "no": False, "off": False, "n": False}


def setting_bool(value: Any) -> bool | None:
    """A shrike setting's truth value: a boolean, or a YAML 1.1 boolean word (``yes``, ``on``,
    ``no``, ``off``) that shrike's OmegaConf reads as one; None for anything else."""
    if isinstance(value, bool):
        return value
    return _YAML11_BOOLS.get(value.lower()) if isinstance(value, str) else None


def _check_settings(block: dict[Any, Any]) -> list[Finding]:
    findings = []
    for key, value in block.items():
        where = ("tenant_overrides", key)
        if key in ("allow_override", "keep_modified_files"):
            truth = setting_bool(value)
            if truth is None:
                findings.append(Finding(where, "must be true or false", f"write `{key}: true`"))
            elif not isinstance(value, bool):
                findings.append(
                    Finding(
                        where,
                        f"OVR001 '{value}' is a YAML 1.1 boolean: read as {str(truth).lower()}, "
                        "as shrike reads it (YAML 1.2 reads a string)",
                        f"write `{key}: {str(truth).lower()}`",
                        severity="warning",
                    )
                )
        elif key == "mapping":
            if value is not None and not isinstance(value, dict):
                findings.append(
                    Finding(where, "must be a mapping of profiles", "e.g. `mapping: {TENANT: ...}`")
                )
        else:
            findings.append(
                Finding(
                    where,
                    f"'{key}' is not a setting of shrike's layout (allow_override, "
                    "keep_modified_files, mapping)",
                    "put the profiles under `mapping:`",
                    key=True,
                )
            )
    return findings


def _index_problem(value: Any) -> tuple[str, str] | None:
    if isinstance(value, bool | str):
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return None
    return (
        f"{INDEX_REMOVAL} takes true/false or the index lines to remove",
        f"`{INDEX_REMOVAL}: true` removes shrike's two feeds; or list the lines",
    )


def check_overrides(data: Any) -> list[Finding]:
    """Every invalid setting, JSONPath, regex or operation in every profile (not just the first).

    Works on the raw file data, so it also reports rules next to a mistake of another kind.
    """
    findings: list[Finding] = []
    block = data.get("tenant_overrides") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        return findings
    if is_shrike_layout(block):
        findings += _check_settings(block)
    profiles, prefix = profile_block(block)
    if not isinstance(profiles, dict):
        return findings
    for profile_key, rules in profiles.items():
        if not isinstance(rules, dict):
            findings.append(
                Finding(
                    (*prefix, profile_key),
                    "a profile is a mapping of JSONPath: rule",
                    "e.g. `environment.docker.image: {old: new}`",
                )
            )
            continue
        for path_key, rule in rules.items():
            where = (*prefix, profile_key, path_key)
            if path_key == INDEX_REMOVAL:
                problem = _index_problem(rule)
                if problem:
                    findings.append(Finding(where, problem[0], problem[1]))
                continue
            try:
                compile_jsonpath(str(path_key))
            except ValueError as exc:
                hint = "use the dotted form (environment.docker.image) or RFC 9535 ($..image)"
                findings.append(Finding(where, str(exc), hint, key=True))
            problem = rule_problem(str(path_key), rule)
            if problem:
                findings.append(Finding(where, problem[0], problem[1]))
    return findings


class Target(SpecModel):
    """Where work is submitted, and which override profile applies there."""

    name: Name
    tenant_id: str | None = Field(default=None, description="Workspace tenant id.")
    description: str = ""
    backend: str = Field(default="local", description="local, container, ray or kubernetes.")
    settings: dict[str, Any] = Field(
        default_factory=dict, description="Backend settings (ray address, k8s namespace...)."
    )
    workspace_config: str | None = Field(
        default=None, description="Workspace config.json that identifies this target."
    )
    overrides: str | None = Field(
        default=None, description="File holding the tenant_overrides block for this target."
    )
    profile: str | None = Field(
        default=None, description="Profile key to use (default: tenant_id, then name)."
    )


class TargetsFile(SpecModel):
    """``targets.yaml``."""

    schema_: SchemaRef
    targets: list[Target] = Field(min_length=1)


def check_targets(spec: TargetsFile) -> list[Finding]:
    """Target names are unique."""
    findings = []
    first: dict[str, int] = {}
    for i, target in enumerate(spec.targets):
        if target.name in first:
            findings.append(
                Finding(
                    ("targets", i, "name"),
                    f"target name '{target.name}' is already used by targets[{first[target.name]}]",
                    "target names are unique; rename one of them",
                )
            )
        first.setdefault(target.name, i)
    return findings
