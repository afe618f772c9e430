"""Stage specs for a target: plan, then write; the context-manager form removes the folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from envyard.overrides.profiles.targets import ResolvedTarget, resolve_target
from envyard.overrides.staging.model import StagedSpecs
from envyard.overrides.staging.planner import plan
from envyard.overrides.staging.write import StagedPaths, remove_later, stage_into


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
    """Stage ``specs`` with ``target``'s profile applied; removed on exit unless ``out`` (or
    shrike's ``keep_modified_files: true``, which keeps it and prints where on stderr).

    ``target`` is a target name, tenant id or profile key; None detects it (see
    :func:`envyard.overrides.profiles.targets.resolve_target`).
    """
    where = (cwd or Path.cwd()).resolve()
    resolved = resolve_target(target, targets_file, where, overrides=overrides, specs=specs)
    keep = out is None and resolved.keep_modified_files
    result = stage(specs, resolved, out=out, strict=strict, cwd=where, keep=keep)
    if keep:
        kept = f"keep_modified_files: the modified copies are kept in {result.root}\n"
        sys.stderr.write(kept)
    try:
        yield result
    finally:
        if out is None and not keep:
            remove_later(result.root)


def stage(
    specs: Sequence[Path | str],
    target: ResolvedTarget,
    *,
    out: Path | None = None,
    strict: bool = False,
    cwd: Path | None = None,
    keep: bool = False,
) -> StagedSpecs:
    """Plan and write (no clean-up: :func:`staged` is the context-manager form).

    ``keep`` without ``out``: a new ``envyard-staged-*`` folder in the system temporary folder
    that outlives this process.
    """
    the_plan = plan(specs, target.rules, cwd=cwd, strict=strict, target=target)
    root, _ = stage_into(the_plan, out, keep=keep)
    by_real = {f.real: f for f in the_plan.files}
    rel = {given: by_real[real].rel_text for given, real in the_plan.scope.given.items()}
    changes = {given: by_real[real].changes for given, real in the_plan.scope.given.items()}
    for file in the_plan.files:
        rel.setdefault(file.real, file.rel_text)
        changes.setdefault(file.real, file.changes)
    paths = StagedPaths(root, rel)
    return StagedSpecs(root, paths, changes, the_plan.warnings, the_plan)
