"""Apply a target's profile to staged copies of specs; the originals are only ever read.

Two steps: :func:`plan` reads every file in scope and computes every staged text in memory (any
error — bad YAML, a missing reference, ``--strict`` and a rule that matched nothing — is raised
here, before anything is staged); :func:`write_plan` then writes the copies into a fresh
temporary folder and, for ``--out DIR``, moves them into place. If writing fails half-way the
temporary folder is removed. Relative paths between staged files are those of the originals.

A large temporary staging is planned on several processes, each writing its share into the new
temporary folder once planned (:mod:`envyard.overrides.parallel`); if anything fails, that
folder is removed all the same. ``--out`` and dry runs write nothing before all is planned.
"""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from envyard.errors import Diagnostic, SpecError
from envyard.overrides import parallel
from envyard.overrides.engine import apply_rules
from envyard.overrides.inplace import patch_scalars
from envyard.overrides.parallel import Part
from envyard.overrides.patch import patch_text
from envyard.overrides.rules import Change, Rule
from envyard.overrides.scope import Item, Primary, Scope, fill, prepare
from envyard.overrides.targets import ResolvedTarget, resolve_target
from envyard.overrides.writer import (
    StagedPaths,
    early_parent,
    new_root,
    remove_later,
    stage_into,
)


@dataclass
class FilePlan:
    real: Path
    rel_text: str
    """The path relative to the staging folder (``rel`` as a Path, made when first asked for:
    thousands of Path objects cost more than the writes)."""
    text: str | None = None
    new_text: str | None = None
    raw: bytes | None = None
    is_dir: bool = False
    changes: list[Change] = field(default_factory=list)
    bom: bool = False
    lines: list[int] = field(default_factory=list)
    """For each change, its line in the original file (the nearest parent's for a new field)."""

    @property
    def changed(self) -> bool:
        return self.new_text is not None and self.new_text != self.text

    @cached_property
    def rel(self) -> Path:
        return Path(self.rel_text)


@dataclass
class Plan:
    """Everything a staging would write, computed without writing."""

    scope: Scope
    target: ResolvedTarget | None
    files: list[FilePlan]
    warnings: list[Diagnostic]
    written_to: Path | None = None
    """The folder the planning processes already wrote every file into, if they did."""


@dataclass
class StagedSpecs:
    """The result of staging: where each original's copy is and what changed in it."""

    root: Path
    paths: Mapping[Path, Path]
    """Original (as named, and as found) -> its staged copy."""
    changes: dict[Path, list[Change]]
    warnings: list[Diagnostic]
    plan: Plan


def plan(
    specs: Sequence[Path | str],
    rules: tuple[Rule, ...],
    *,
    cwd: Path | None = None,
    strict: bool = False,
    target: ResolvedTarget | None = None,
    into: Path | None = None,
) -> Plan:
    """Compute every staged file for ``specs`` under ``rules`` (pure: nothing is written).

    Large scopes are planned on several processes (:mod:`envyard.overrides.parallel`), with
    the same result; each then writes its files into ``into`` (an empty temporary folder that
    the caller removes if anything fails), and ``written_to`` says whether all were.
    """
    with _bulk():
        scope, primary = prepare(specs, (cwd or Path.cwd()).resolve())

        def part(share_scope: Scope, share: Sequence[Primary], free: bool = True) -> Part:
            return _plan_part(share_scope, share, rules, target, free=free)

        count = parallel.processes(len(primary))
        done = (
            parallel.plan_shares(scope, primary, rules, part, count, into=into)
            if count > 1
            else None
        )
        written = done is not None and done[3]
        scope, files, acted = done[:3] if done else part(scope, primary, True)
    warnings = _unmatched(rules, acted, strict=strict)
    if strict and warnings:
        raise SpecError(warnings)
    return Plan(scope, target, files, warnings, into if written else None)


def _plan_part(
    scope: Scope,
    primary: Sequence[Primary],
    rules: tuple[Rule, ...],
    target: ResolvedTarget | None,
    *,
    free: bool = True,
) -> Part:
    """Fill ``scope`` with ``primary`` and plan its files (folders first).

    ``free``: drop each file's node tree once planned (a forked child that exits right after
    need not spend time freeing them).
    """
    fill(scope, primary)
    _copy_config_files_as_they_are(scope, target)
    files: list[FilePlan] = []
    acted: set[int] = set()
    for item in sorted(scope.items.values(), key=lambda i: not i.is_dir):
        files.append(plan_file(item, scope.base, rules, acted))
        if free:
            item.doc = None  # the node tree is not needed any more
    return scope, files, acted


def _copy_config_files_as_they_are(scope: Scope, target: ResolvedTarget | None) -> None:
    """The overrides and targets files themselves are staged unchanged when in scope."""
    if target is None:
        return
    config = {
        p.resolve() for p in (target.targets_file, target.overrides and target.overrides.path) if p
    }
    names = {p.name for p in config}
    for item in scope.items.values():
        if item.doc is not None and item.real.name in names and item.real.resolve() in config:
            item.rules = False
            item.raw = item.real.read_bytes()


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while thousands of node trees are built.

    Nothing built here forms reference cycles that need it, and its full passes over the
    growing heap cost ~40% of the time of a large staging.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_file(item: Item, base: Path, rules: tuple[Rule, ...], acted: set[int]) -> FilePlan:
    """One file's staged text (``acted`` collects the indexes of rules that selected a field)."""
    rel = _relative(item.real, base)
    if item.doc is None or not item.rules:
        return FilePlan(item.real, rel, raw=item.raw, is_dir=item.is_dir)
    if not rules:
        return FilePlan(item.real, rel, item.doc.text, item.doc.text, bom=item.bom)
    new_data, changes, selected = apply_rules(item.doc.data, rules, create=not item.referenced)
    acted |= selected
    json_file = item.real.suffix == ".json"
    new_text = item.doc.text
    if changes:
        fast = patch_scalars(item.doc, new_data, changes, json_file=json_file)
        new_text = fast if fast is not None else patch_text(item.doc, new_data, json_file=json_file)
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


def _unmatched(rules: tuple[Rule, ...], acted: set[int], *, strict: bool) -> list[Diagnostic]:
    out = []
    for index, rule in enumerate(rules):
        if index in acted:
            continue
        out.append(
            Diagnostic(
                rule.file,
                rule.line,
                rule.col,
                f"tenant_overrides.{rule.profile}",
                f"rule '{rule.key}' matched no field in the staged files",
                "check the JSONPath (`envyard override explain` shows what each rule changed)",
                severity="error" if strict else "warning",
            )
        )
    return out


@contextmanager
def staged(
    specs: Sequence[Path],
    *,
    target: str | None,
    overrides: Path | None = None,
    targets_file: Path | None = None,
    out: Path | None = None,
    strict: bool = False,
    cwd: Path | None = None,
) -> Iterator[StagedSpecs]:
    """Stage ``specs`` with ``target``'s profile applied; removed on exit unless ``out``.

    ``target`` is a target name, tenant id or profile key; None detects it (see
    :func:`envyard.overrides.targets.resolve_target`).
    """
    where = (cwd or Path.cwd()).resolve()
    resolved = resolve_target(target, targets_file, where, overrides=overrides)
    result = stage(specs, resolved, out=out, strict=strict, cwd=where)
    try:
        yield result
    finally:
        if out is None:
            remove_later(result.root)


def stage(
    specs: Sequence[Path | str],
    target: ResolvedTarget,
    *,
    out: Path | None = None,
    strict: bool = False,
    cwd: Path | None = None,
) -> StagedSpecs:
    """Plan and write (no clean-up: :func:`staged` is the context-manager form)."""
    if out is not None:
        the_plan = plan(specs, target.rules, cwd=cwd, strict=strict, target=target)
        root, _ = stage_into(the_plan, out)
    else:
        early = new_root(early_parent())  # planning processes may write their files there
        try:
            the_plan = plan(specs, target.rules, cwd=cwd, strict=strict, target=target, into=early)
            root, _ = stage_into(the_plan, None, root=early)
        except BaseException:
            shutil.rmtree(early, ignore_errors=True)
            raise
    by_real = {f.real: f for f in the_plan.files}
    rel = {given: by_real[real].rel_text for given, real in the_plan.scope.given.items()}
    changes = {given: by_real[real].changes for given, real in the_plan.scope.given.items()}
    for file in the_plan.files:
        rel.setdefault(file.real, file.rel_text)
        changes.setdefault(file.real, file.changes)
    paths = StagedPaths(root, rel)
    return StagedSpecs(root, paths, changes, the_plan.warnings, the_plan)
