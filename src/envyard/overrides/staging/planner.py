"""Plan a staging: read every file in scope and compute every staged text in memory.

Nothing is written here; any error (bad YAML, a missing reference, ``--strict`` and a rule that
matched nothing, a staged text that would not read back as intended) is raised before anything
is staged. :mod:`envyard.overrides.staging.run` writes the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from envyard.errors import Diagnostic, SpecError
from envyard.overrides.editing import edit_text
from envyard.overrides.matching.apply import Copy, apply_to
from envyard.overrides.matching.indexes import IndexRemoval, drop_index_items, drop_index_lines
from envyard.overrides.matching.rules import Rule
from envyard.overrides.profiles.targets import ResolvedTarget
from envyard.overrides.staging.model import FilePlan, Plan
from envyard.overrides.staging.scope import Item, Scope, fill, prepare
from envyard.yamlio import bulk


def plan(
    specs: Sequence[Path | str],
    rules: tuple[Rule, ...],
    *,
    cwd: Path | None = None,
    strict: bool = False,
    target: ResolvedTarget | None = None,
    remove_index: IndexRemoval | None = None,
) -> Plan:
    """Compute every staged file for ``specs`` under ``rules`` (pure: nothing is written).

    ``remove_index``: package-index lines to drop from the package files the specs reference
    (and from their inline pip lists); default: the target profile's ``remove_polymer_pkg_idx``.
    """
    if remove_index is None and target is not None:
        remove_index = target.remove_index
    with bulk():
        scope, primary = prepare(specs, (cwd or Path.cwd()).resolve())
        fill(scope, primary)
        del primary  # the parsed specs named directly: freed as each file is planned (below)
        _copy_config_files_as_they_are(scope, target)
        files: list[FilePlan] = []
        acted: set[int] = set()
        changed: set[int] = set()
        for item in sorted(scope.items.values(), key=lambda i: not i.is_dir):
            files.append(
                plan_file(item, scope.base, rules, acted, changed, remove_index=remove_index)
            )
            item.doc = None  # the node tree is not needed any more: freed now, so the first
            # collection after the block does not walk every file's tree
    warnings = _unmatched(rules, acted, changed, strict=strict)
    if strict and any(w.severity == "error" for w in warnings):
        raise SpecError([w for w in warnings if w.severity == "error"])
    notes = list(target.notes) if target is not None else []
    return Plan(scope, target, files, warnings, notes)


def _copy_config_files_as_they_are(scope: Scope, target: ResolvedTarget | None) -> None:
    """The overrides and targets files themselves are staged unchanged when in scope."""
    if target is None:
        return
    items = scope.items
    config = {
        p.resolve() for p in (target.targets_file, target.overrides and target.overrides.path) if p
    }
    names = {p.name for p in config}
    for item in items.values():
        if item.doc is not None and item.real.name in names and item.real.resolve() in config:
            item.rules = False
            item.raw = item.real.read_bytes()


def plan_file(
    item: Item,
    base: Path,
    rules: tuple[Rule, ...],
    acted: set[int],
    changed: set[int] | None = None,
    *,
    remove_index: IndexRemoval | None = None,
) -> FilePlan:
    """One file's staged text; ``acted``/``changed`` collect the indexes of rules that selected
    a field / changed one."""
    rel = _relative(item.real, base)
    if item.doc is None or not item.rules:
        raw = item.raw
        if raw is not None and remove_index is not None and item.package_file:
            raw = drop_index_lines(raw, remove_index)
        return FilePlan(item.real, rel, raw=raw, is_dir=item.is_dir)
    if not rules and remove_index is None:
        return FilePlan(item.real, rel, item.doc.text, item.doc.text, bom=item.bom)
    new = Copy(item.doc.data)  # shares what the rules leave as it is
    changes, selected = apply_to(new, rules, create=not item.referenced)
    acted |= selected
    if changed is not None and changes:
        index = {id(rule): i for i, rule in enumerate(rules)}
        changed.update(index[id(c.rule)] for c in changes)
    if remove_index is not None and (item.package_file or not item.referenced):
        changes.extend(drop_index_items(new, remove_index))
    new_text = item.doc.text
    if changes:
        new_text = edit_text(item.doc, new.data, changes, json_file=item.real.suffix == ".json")
    lines = [item.doc.line_of(c.location) for c in changes]
    return FilePlan(
        item.real, rel, item.doc.text, new_text, changes=changes, bom=item.bom, lines=lines
    )


def _relative(path: Path, base: Path) -> str:
    """``path.relative_to(base)`` for a ``path`` known to be under ``base`` (string slicing)."""
    full, folder = str(path), str(base)
    if folder == "/":
        return full[1:]
    if full.startswith(folder + "/"):
        return full[len(folder) + 1 :]
    return str(path.relative_to(base))


def _unmatched(
    rules: tuple[Rule, ...], acted: set[int], changed: set[int], *, strict: bool
) -> list[Diagnostic]:
    """A rule that selected nothing (an error with ``strict``), or selected fields but changed
    none of them (its old values matched nothing, or gave the same value back)."""
    out = []
    for index, rule in enumerate(rules):
        if index in acted and index in changed:
            continue
        if index in acted:
            message = f"rule '{rule.key}' selected fields but changed none of them"
            hint = "no value matched its old values, or the substitution gave the same value"
            severity: Literal["error", "warning"] = "warning"
        else:
            message = f"rule '{rule.key}' matched no field in the staged files"
            hint = "check the JSONPath (`envyard override explain` shows what each rule changed)"
            severity = "error" if strict else "warning"
        out.append(
            Diagnostic(
                rule.file,
                rule.line,
                rule.col,
                f"tenant_overrides.{rule.profile}",
                message,
                hint,
                severity=severity,
            )
        )
    return out
