"""`envyard schema KIND`: print (or write) the JSON Schema of a spec kind."""

from __future__ import annotations

from pathlib import Path

import click

from envyard.spec.kinds import KINDS


@click.command()
@click.argument("kind", required=False, type=click.Choice(list(KINDS)))
@click.option("--list", "list_kinds", is_flag=True, help="List the kinds and what they are.")
@click.option("--all", "all_kinds", is_flag=True, help="Every kind (use with --out).")
@click.option("--markdown", is_flag=True, help="Print the Markdown reference of every kind.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <kind>.schema.json files into this directory instead of printing.",
)
def schema(
    kind: str | None, list_kinds: bool, all_kinds: bool, markdown: bool, out: Path | None
) -> None:
    """Print the JSON Schema of a spec kind (for editors and CI)."""
    from envyard.spec.schema import schema_text

    if markdown:
        from envyard.spec.reference import reference_markdown

        click.echo(reference_markdown())
        return
    if list_kinds:
        for name, found in KINDS.items():
            click.echo(f"{name:18} {found.summary}")
        return
    kinds = list(KINDS) if all_kinds else [kind] if kind else []
    if not kinds:
        raise click.UsageError("name a KIND, or pass --all or --list")
    if out is None:
        for name in kinds:
            click.echo(schema_text(name), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    for name in kinds:
        target = out / f"{name}.schema.json"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(schema_text(name), encoding="utf-8")
        tmp.replace(target)
        click.echo(f"wrote {target}")
