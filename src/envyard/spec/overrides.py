"""Override profiles (the RFC's ``tenant_overrides`` block) and targets.

A profile maps a JSONPath (RFC 9535; the RFC's dotted ``environment.docker.image`` is shorthand
for ``$.environment.docker.image``) to a rule. A rule is a mapping:

- ``old: new`` pairs, as in the RFC: an exact literal match is replaced; otherwise each key is a
  regular expression that must match the whole value, and ``$1``, ``${1}``, ``\\1`` or
  ``${name}`` in the replacement refer to its groups. On a mapping-valued field (``tags``) the
  pairs set or add entries.
- explicit operations the RFC cannot say: ``$set: VALUE`` (whatever the old value was, creating
  the field), ``$remove: true`` (delete the field), ``$append: VALUE|[VALUES]`` and
  ``$prepend: VALUE|[VALUES]`` (add to a list, creating it).

Rules apply in file order (each sees what the previous ones did); inside a rule: ``$remove``
(alone), ``$set``, substitutions, then ``$prepend``/``$append``. In a replacement, ``$$`` is a
literal ``$`` and ``\\\\`` a literal backslash. The engine is :mod:`envyard.overrides`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from envyard.names import Name
from envyard.regexes import compile_user_regex
from envyard.spec.base import OpenSpecModel, SchemaRef, SpecModel
from envyard.spec.findings import Finding

OPERATIONS = ("$set", "$remove", "$append", "$prepend")
_GROUP_REF = re.compile(r"\$\$|\\\\|\$\{(\w+)\}|\$(\d+)|\\(\d+)|\\g<(\w+)>")


@dataclass(frozen=True)
class GroupRef:
    """A reference to a regex group in a replacement: its number or name."""

    group: int | str


Template = tuple[str | GroupRef, ...]
"""A parsed replacement: literal text and group references."""
_SHORT_SEGMENT = re.compile(r"^(?:\*|[A-Za-z_][A-Za-z0-9_]*)$")


def to_jsonpath(key: str) -> str:
    """Normalise a rule key: RFC 9535 as is, or the dotted shorthand turned into RFC 9535."""
    if key.startswith("$"):
        return key
    prefix, body = ("$..", key[2:]) if key.startswith("..") else ("$.", key)
    out = []
    for seg in body.split("."):
        if not seg:
            raise ValueError(f"empty segment in '{key}'")
        if "[" in seg or _SHORT_SEGMENT.match(seg):
            out.append(seg)
        else:
            quoted = seg.replace("\\", "\\\\").replace("'", "\\'")
            out.append(f"['{quoted}']")
    text = prefix
    for i, seg in enumerate(out):
        text += seg if seg.startswith("[") else ("" if i == 0 else ".") + seg
    return text.replace(".[", "[").replace("$.[", "$[")


def compile_jsonpath(key: str) -> Any:
    """Compile a rule key with the RFC 9535 engine; ValueError says what is wrong."""
    import jsonpath_rfc9535 as jsonpath

    path = to_jsonpath(key)
    try:
        return jsonpath.compile(path)
    except Exception as exc:  # the engine raises its own error types
        raise ValueError(f"'{key}' is not a valid JSONPath: {exc}") from None


def parse_replacement(template: str, pattern: re.Pattern[str]) -> Template:
    """Split ``template`` into text and group references; ValueError names a missing group."""
    parts: list[str | GroupRef] = []
    pos = 0
    for match in _GROUP_REF.finditer(template):
        parts.append(template[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("$$", "\\\\"):
            parts.append(token[0])
            continue
        ref = next(g for g in match.groups() if g is not None)
        parts.append(GroupRef(_group(ref, pattern, token)))
    parts.append(template[pos:])
    return tuple(p for p in parts if p != "")


def _group(ref: str, pattern: re.Pattern[str], token: str) -> int | str:
    if ref.isdigit():
        number = int(ref)
        if number > pattern.groups:
            raise ValueError(
                f"'{token}' refers to group {number} but the expression has "
                f"{pattern.groups} group(s)"
            )
        return number
    if ref not in pattern.groupindex:
        raise ValueError(f"'{token}' refers to no named group (?P<{ref}>...) in the expression")
    return ref


def expand(template: Template, match: re.Match[str]) -> str:
    """The replacement text for one match (a group that did not take part is empty)."""
    return "".join(p if isinstance(p, str) else (match.group(p.group) or "") for p in template)


def rule_problem(path_key: str, rule: Any) -> tuple[str, str] | None:
    """What is wrong with one rule's shape, as (message, hint), or None."""
    if not isinstance(rule, dict) or not rule:
        return (
            f"the rule for '{path_key}' must be a non-empty mapping of old: new values",
            "e.g. `environment.docker.image: {'old/(.+)': 'new/$1'}` or `{$set: value}`",
        )
    for old in rule:
        key = str(old)
        if key.startswith("$"):
            if key not in OPERATIONS:
                return (
                    f"unknown operation '{key}' in the rule for '{path_key}'",
                    "operations are " + ", ".join(OPERATIONS),
                )
            continue
        try:
            pattern = compile_user_regex(key)
        except re.error as exc:
            return (
                f"'{key}' is not a valid regular expression: {exc}",
                "escape special characters with \\ (e.g. \\( ) to match them literally",
            )
        new = rule[old]
        if isinstance(new, str):
            try:
                parse_replacement(new, pattern)
            except ValueError as exc:
                return (f"replacement '{new}' for '{key}': {exc}", "use $1, ${1}, \\1 or ${name}")
    return _operation_problem(path_key, rule)


def _operation_problem(path_key: str, rule: dict[Any, Any]) -> tuple[str, str] | None:
    if "$remove" in rule:
        if rule["$remove"] is not True:
            return (f"'$remove' in the rule for '{path_key}' takes true", "write `$remove: true`")
        if len(rule) > 1:
            return (
                f"'$remove' cannot be combined with other entries in the rule for '{path_key}'",
                "a removed field has nothing left to change; split the rule",
            )
    return None


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
