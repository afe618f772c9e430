"""``envyard override``: apply a target's override profile to staged copies of specs."""

from __future__ import annotations

from pathlib import Path

import click

_TARGET_HELP = (
    "Target name, tenant id, profile key or workspace config .json "
    "(default: $ENVYARD_TARGET, then a workspace config.json here or above)."
)
_OVERRIDES_HELP = (
    "YAML holding the tenant_overrides block (default: the target's `overrides`, envyard.toml "
    "[overrides] file, or pipeline.yaml/overrides.yaml here)."
)


@click.group()
def cli() -> None:
    """Apply per-target overrides to staged copies of specs (originals are never changed)."""


def _common(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(
        [
            click.option("--target", "-t", default=None, help=_TARGET_HELP),
            click.option(
                "--overrides",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help=_OVERRIDES_HELP,
            ),
            click.option(
                "--targets",
                "targets_file",
                type=click.Path(path_type=Path, dir_okay=False),
                default=None,
                help="targets.yaml (default: envyard.toml [overrides] targets, or ./targets.yaml).",
            ),
        ]
    ):
        func = option(func)
    return func


@cli.command()
@_common
@click.argument("specs", nargs=-1, required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write the staged files here, under the same relative paths (default: a new "
    "folder in the system temporary folder, printed at the end).",
)
@click.option("--dry-run", is_flag=True, help="Print a unified diff per file; write nothing.")
@click.option("--strict", is_flag=True, help="A rule that matched nothing is an error.")
def apply(
    *,
    target: str | None,
    overrides: Path | None,
    targets_file: Path | None,
    specs: tuple[str, ...],
    out: Path | None,
    dry_run: bool,
    strict: bool,
) -> None:
    """Stage SPECS (files, folders, globs, pipeline YAMLs) with TARGET's profile applied."""
    from envyard.overrides.profiles.targets import resolve_target
    from envyard.overrides.report import plan_diff
    from envyard.overrides.staging import plan, stage

    cwd = Path.cwd()
    resolved = resolve_target(target, targets_file, cwd, overrides=overrides, specs=specs)
    if dry_run:
        the_plan = plan(specs, resolved.rules, cwd=cwd, strict=strict, target=resolved)
        for line in [*the_plan.notes, *(w.render() for w in the_plan.warnings)]:
            click.echo(line, err=True)
        click.echo(plan_diff(the_plan), nl=False)
        return
    # without --out: kept for the user to submit from, in the system temporary folder
    result = stage(specs, resolved, out=out, strict=strict, cwd=cwd, keep=out is None)
    for line in [*result.plan.notes, *(w.render() for w in result.warnings)]:
        click.echo(line, err=True)
    changed = sum(1 for f in result.plan.files if f.changed)
    fields = sum(len(f.changes) for f in result.plan.files)
    profile = resolved.profile_key or "no profile"
    click.echo(
        f"staged {len(result.plan.files)} file(s) for target '{resolved.target.name}' "
        f"({profile}, from {resolved.source}): {fields} field(s) changed in {changed} "
        f"file(s) -> {result.root}"
    )
    if resolved.keep_modified_files:
        click.echo(f"keep_modified_files: the modified copies are kept in {result.root}")


@cli.command()
@_common
@click.argument("specs", nargs=-1, required=True)
def explain(
    *, target: str | None, overrides: Path | None, targets_file: Path | None, specs: tuple[str, ...]
) -> None:
    """Show which rule changes which field of SPECS for TARGET (old -> new, rule, file:line)."""
    from envyard.overrides.profiles.targets import resolve_target
    from envyard.overrides.report import explain_plan
    from envyard.overrides.staging import plan

    cwd = Path.cwd()
    resolved = resolve_target(target, targets_file, cwd, overrides=overrides, specs=specs)
    click.echo(explain_plan(plan(specs, resolved.rules, cwd=cwd, target=resolved)), nl=False)
