"""`envyard validate PATH...`: check spec files of every kind, reporting all problems."""

from __future__ import annotations

import json
from pathlib import Path

import click

from envyard.spec.kinds import KINDS


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(list(KINDS)), help="Treat every file as this kind.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
@click.option(
    "--skip-unknown",
    is_flag=True,
    help="Skip named files that are not Envyard specs (for pre-commit, which passes every file).",
)
def validate(
    paths: tuple[Path, ...], kind: str | None, fmt: str, quiet: bool, skip_unknown: bool
) -> None:
    """Validate spec files; directories are walked and each file's kind is recognised.

    Exits 0 when there are no errors (warnings are allowed), 1 otherwise.
    """
    from envyard.registry.masking import mask_text  # CI logs are shared: no URL passwords
    from envyard.spec.validation import validate_paths

    report = validate_paths(list(paths), kind=kind, skip_unknown=skip_unknown)
    if fmt == "json":
        click.echo(mask_text(json.dumps(report.as_dict(), indent=2)))
    else:
        for diagnostic in report.diagnostics:
            click.echo(mask_text(diagnostic.render()))
        if not quiet:
            click.echo(report.summary(), err=True)
    raise click.exceptions.Exit(1 if report.errors else 0)
