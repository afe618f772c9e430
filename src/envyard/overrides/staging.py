"""Apply a target's profile to staged copies of specs; the originals are only ever read.

Two steps: :func:`plan` reads every file in scope and computes every staged text in memory (any
error — bad YAML, a missing reference, ``--strict`` and a rule that matched nothing — is raised
here, before a single byte is written); :func:`write_plan` then writes the copies into a fresh
temporary folder and, for ``--out DIR``, moves them into place. If writing fails half-way the
temporary folder is removed. Relative paths between staged files are those of the originals.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from envyard.errors import ConflictError, Diagnostic, SpecError
from envyard.overrides.patch import patch_text
from envyard.overrides.rules import Change, Rule, apply_rules
from envyard.overrides.scope import Item, Scope, collect
from envyard.overrides.targets import ResolvedTarget, resolve_target
from envyard.spec.source import display_path


@dataclass
class FilePlan:
    real: Path
    rel: Path
    text: str | None = None
    new_text: str | None = None
    raw: bytes | None = None
    is_dir: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.new_text is not None and self.new_text != self.text


@dataclass
class Plan:
    """Everything a staging would write, computed without writing."""

    scope: Scope
    target: ResolvedTarget | None
    files: list[FilePlan]
    warnings: list[Diagnostic]


@dataclass
class StagedSpecs:
    """The result of staging: where each original's copy is and what changed in it."""

    root: Path
    paths: dict[Path, Path]
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
) -> Plan:
    """Compute every staged file for ``specs`` under ``rules`` (pure: nothing is written)."""
    scope = collect(specs, (cwd or Path.cwd()).resolve())
    files: list[FilePlan] = []
    acted: set[int] = set()
    for item in sorted(scope.items.values(), key=lambda i: not i.is_dir):  # folders first
        files.append(plan_file(item, scope.base, rules, acted))
    warnings = _unmatched(rules, acted, strict=strict)
    if strict and warnings:
        raise SpecError(warnings)
    return Plan(scope, target, files, warnings)


def plan_file(item: Item, base: Path, rules: tuple[Rule, ...], acted: set[int]) -> FilePlan:
    """One file's staged text (``acted`` collects the indexes of rules that selected a field)."""
    rel = item.real.relative_to(base)
    if item.doc is None or not item.rules:
        return FilePlan(item.real, rel, raw=item.raw, is_dir=item.is_dir)
    new_data, changes, selected = apply_rules(item.doc.data, rules, create=not item.referenced)
    acted |= selected
    new_text = patch_text(item.doc, new_data) if changes else item.doc.text
    return FilePlan(item.real, rel, item.doc.text, new_text, changes=changes)


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


def write_plan(the_plan: Plan, root: Path) -> dict[Path, Path]:
    """Write every planned file under ``root``; returns real original -> staged path."""
    written: dict[Path, Path] = {}
    made: set[Path] = set()
    for file in the_plan.files:
        dest = root / file.rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        if file.is_dir:
            shutil.copytree(file.real, dest, symlinks=True, dirs_exist_ok=True)
        elif file.raw is not None:
            dest.write_bytes(file.raw)
            shutil.copymode(file.real, dest)
        else:
            _write_text(dest, file.new_text or "", file.real)
        written[file.real] = dest
    return written


def _write_text(dest: Path, text: str, original: Path) -> None:
    data = text.encode("utf-8")
    with original.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":
            data = b"\xef\xbb\xbf" + data
    dest.write_bytes(data)


def _stage_into(the_plan: Plan, out: Path | None) -> tuple[Path, dict[Path, Path]]:
    if out is None:
        root = Path(tempfile.mkdtemp(prefix="envyard-stage-"))
        try:
            return root, write_plan(the_plan, root)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
    out = out.resolve()
    originals = {f.real.resolve() for f in the_plan.files}
    for file in the_plan.files:
        if (out / file.rel).resolve() in originals or file.real.resolve() == out:
            raise ConflictError(
                f"--out {display_path(out)} would overwrite the original {display_path(file.real)}",
                hint="choose an output folder outside the specs' folders",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".envyard-stage-", dir=out.parent))
    try:
        written = write_plan(the_plan, work)
        out.mkdir(exist_ok=True)
        for entry in sorted(work.iterdir()):
            _move(entry, out / entry.name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out, {real: out / path.relative_to(work) for real, path in written.items()}


def _move(src: Path, dest: Path) -> None:
    if src.is_dir() and dest.is_dir():
        for entry in sorted(src.iterdir()):
            _move(entry, dest / entry.name)
        return
    if dest.is_dir():
        shutil.rmtree(dest)
    src.replace(dest)


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
            shutil.rmtree(result.root, ignore_errors=True)


def stage(
    specs: Sequence[Path | str],
    target: ResolvedTarget,
    *,
    out: Path | None = None,
    strict: bool = False,
    cwd: Path | None = None,
) -> StagedSpecs:
    """Plan and write (no clean-up: :func:`staged` is the context-manager form)."""
    the_plan = plan(specs, target.rules, cwd=cwd, strict=strict, target=target)
    root, written = _stage_into(the_plan, out)
    by_real = {f.real: f for f in the_plan.files}
    paths = {given: written[real] for given, real in the_plan.scope.given.items()}
    changes = {given: by_real[real].changes for given, real in the_plan.scope.given.items()}
    for file in the_plan.files:
        paths.setdefault(file.real, written[file.real])
        changes.setdefault(file.real, file.changes)
    return StagedSpecs(root, paths, changes, the_plan.warnings, the_plan)
