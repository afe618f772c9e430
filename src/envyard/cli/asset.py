"""`envyard asset ...`: validate, pin, release, deprecate, archive, test and build assets."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import click

_FORMATS = click.Choice(["text", "json", "sarif"])


@click.group()
def cli() -> None:
    """Environment assets in a git repository: validate, pin, release, deprecate, build."""


@cli.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per asset.")
def list_assets(paths: tuple[Path, ...], as_json: bool) -> None:
    """List every asset below PATHS (all types): type, name, version, folder."""
    from envyard.assets.config import load_asset_settings
    from envyard.assets.discovery.discover import discover, repo_root
    from envyard.assets.fsutil import shown

    targets = list(paths) or [Path.cwd()]
    root = repo_root(targets[0])
    found = discover(targets, root, exclude=load_asset_settings(targets[0]).exclude)
    for asset in sorted(found.assets, key=lambda a: a.full_name):
        row = {
            "type": asset.type,
            "name": asset.name,
            "version": asset.version or "",
            "path": shown(asset.dir),
        }
        if as_json:
            click.echo(json.dumps(row))
        else:
            click.echo(f"{asset.type:<12} {asset.name:<48} {row['version']:<8} {row['path']}")
    for diagnostic in found.diagnostics:
        click.echo(diagnostic.render(), err=True)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=_FORMATS, default="text", show_default=True)
@click.option("--list-rules", is_flag=True, help="Print the rules and their settings.")
@click.option("-q", "--quiet", is_flag=True, help="Problems only, no summary.")
def validate(paths: tuple[Path, ...], fmt: str, list_rules: bool, quiet: bool) -> None:
    """Check every asset below PATHS (default: the current folder) against the rules."""
    from envyard.assets.config import load_asset_settings
    from envyard.assets.discovery.discover import repo_root
    from envyard.assets.rules.validate import validate_assets

    targets = list(paths) or [Path.cwd()]
    root = repo_root(targets[0])
    settings = load_asset_settings(targets[0])  # the nearest settings file up to the root
    if list_rules:
        from envyard.assets.report import rules_table
        from envyard.assets.rules.table import rule_table

        for line in rules_table(rule_table(), settings):
            click.echo(line)
        return
    report = validate_assets(targets, settings, root)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif fmt == "sarif":
        from envyard.assets.rules.sarif import to_sarif

        click.echo(json.dumps(to_sarif(report.diagnostics, report.rules), indent=2))
    else:
        lines = [d.render() + (f" [{d.rule}]" if d.rule else "") for d in report.diagnostics]
        if lines:  # one write (click flushes each echo: a pipe's reader woke per line)
            click.echo("\n".join(lines))
        if not quiet:
            click.echo(report.summary(), err=True)
    code = 1 if report.errors else 0
    gc.freeze()  # the process ends: its last collection need not walk the imported modules
    raise click.exceptions.Exit(code)


def _register() -> None:
    from envyard.cli.asset_build import build, pin, test_cmd
    from envyard.cli.asset_release import archive, deprecate, release

    for command in (pin, release, deprecate, archive, test_cmd, build):
        cli.add_command(command)


_register()
