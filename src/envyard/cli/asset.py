"""`envyard asset ...`: validate, pin, release, deprecate, archive, test and build assets."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import click

from envyard.errors import ConfigError

_FORMATS = click.Choice(["text", "json", "sarif"])


def _settings(  # noqa: PLR0917 - mirrors the CLI options
    root: Path,
    mirrors: tuple[str, ...] = (),
    index_urls: tuple[str, ...] = (),
    digest: bool = False,
    find_links: tuple[str, ...] = (),
    no_index: bool = False,
    **_ignored: Any,
) -> Any:
    from envyard.assets.config import load_asset_settings

    mirror_map = {}
    for item in mirrors:
        host, sep, target = item.partition("=")
        if not sep or not host or not target:
            raise ConfigError(
                f"--mirror '{item}' is not HOST=TARGET",
                hint="e.g. --mirror mcr.microsoft.com=127.0.0.1:5000",
            )
        mirror_map[host] = target
    return load_asset_settings(root).with_overrides(
        mirrors=mirror_map or None,
        index_urls=list(index_urls) or None,
        pin_digest=True if digest else None,
        find_links=list(find_links) or None,
        no_index=True if no_index else None,
    )


def _resolve_options(func: Any) -> Any:
    """--mirror, --index-url, --find-links, --no-index, --online (passed as ``**resolve``)."""
    func = click.option(
        "--no-index", is_flag=True, help="Use --find-links only for package versions."
    )(func)
    func = click.option(
        "--find-links",
        "find_links",
        multiple=True,
        metavar="URL|DIR",
        help="Flat page or folder of distributions (pip --find-links; repeatable).",
    )(func)
    func = click.option(
        "--online",
        is_flag=True,
        help="Ask public registries and PyPI for tags nothing is configured for.",
    )(func)
    func = click.option(
        "--index-url",
        "index_urls",
        multiple=True,
        metavar="URL",
        help="Package index for {{latest-pypi-version}} (repeatable).",
    )(func)
    mirror = click.option(
        "--mirror",
        "mirrors",
        multiple=True,
        metavar="HOST=TARGET",
        help="Ask TARGET instead of registry HOST (repeatable).",
    )
    return mirror(func)


@click.group()
def cli() -> None:
    """Environment assets in a git repository: validate, pin, release, deprecate, build."""


@cli.command("list")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per asset.")
def list_assets(paths: tuple[Path, ...], as_json: bool) -> None:
    """List every asset below PATHS (all types): type, name, version, folder."""
    from envyard.assets.discover import discover, repo_root
    from envyard.assets.fsutil import shown

    targets = list(paths) or [Path.cwd()]
    found = discover(targets, repo_root(targets[0]))
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
    from envyard.assets.discover import repo_root
    from envyard.assets.validate import validate_assets

    targets = list(paths) or [Path.cwd()]
    root = repo_root(targets[0])
    settings = load_asset_settings(root)
    if list_rules:
        from envyard.assets.report import rules_table
        from envyard.assets.rules import rule_table

        for line in rules_table(rule_table(), settings):
            click.echo(line)
        return
    report = validate_assets(targets, settings, root)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2))
    elif fmt == "sarif":
        from envyard.assets.sarif import to_sarif

        click.echo(json.dumps(to_sarif(report.diagnostics, report.rules), indent=2))
    else:
        for diagnostic in report.diagnostics:
            rule = f" [{diagnostic.rule}]" if diagnostic.rule else ""
            click.echo(diagnostic.render() + rule)
        if not quiet:
            click.echo(report.summary(), err=True)
    raise click.exceptions.Exit(1 if report.errors else 0)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the pinned build context (one sub-folder per asset if many).",
)
@click.option("--digest", is_flag=True, help="Pin image tags as tag@sha256:... .")
@click.option("--strict", is_flag=True, help="Fail when a tag is skipped (nothing configured).")
@_resolve_options
def pin(
    *,
    path: Path,
    out: Path,
    digest: bool,
    strict: bool,
    **resolve: Any,
) -> None:
    """Copy each asset's build context to OUTPUT with every template tag resolved + a lock file.

    Tags whose registry or index is not configured are skipped (left as written), and the
    output says which and how to configure them; the originals are never modified.
    """
    import asyncio

    from envyard.assets.discover import discover, repo_root
    from envyard.assets.pin import pin_assets, write_pinned
    from envyard.assets.progress import progress_bar
    from envyard.assets.report import describe_entries

    root = repo_root(path)
    settings = _settings(root, digest=digest, **resolve)
    online = bool(resolve["online"])
    found = discover([path], root)
    assets = [a for a in found.assets if a.context_dir is not None]
    if not assets:
        raise ConfigError(f"no environment asset with a build context under {path}")
    with progress_bar("pinning", len(assets)) as advance:
        results = asyncio.run(
            pin_assets(assets, settings, online=online, on_asset=lambda r: advance(r.asset.name))
        )
    skipped = 0
    for result in results:
        target = out if len(results) == 1 else out / result.asset.name
        lock = write_pinned(result, target, settings)
        click.echo(
            f"{result.asset.name}: pinned build context in {target} "
            f"(lock: {target / settings.lock_file})"
        )
        for line in describe_entries(lock.entries, prefix="  "):
            click.echo(line)
        skipped += len(lock.skipped)
    if strict and skipped:
        raise ConfigError(f"{skipped} tag(s) skipped (--strict)", hint="see the lines above")


@cli.command()
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The assets repository (git).",
)
@click.option("--release-branch", "branch", default="release", show_default=True)
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--registry", metavar="URL", help="Publish released environments to this server.")
@click.option("--token", envvar="ENVYARD_TOKEN", help="API token for --registry.")
@click.option("--publish", is_flag=True, help="Publish to the local registry (ENVYARD_HOME).")
@click.option("--digest", is_flag=True, help="Pin image tags as tag@sha256:... .")
@_resolve_options
def release(
    *,
    repo: Path,
    branch: str,
    dry_run: bool,
    registry: str | None,
    token: str | None,
    publish: bool,
    digest: bool,
    **resolve: Any,
) -> None:
    """Release new and updated assets to the release branch: one commit, one tag per asset."""
    from envyard.assets.gitrepo import Git
    from envyard.assets.release_plan import plan_release

    git = Git(repo)
    settings = _settings(git.root, digest=digest, **resolve)
    online = bool(resolve["online"])
    plan = plan_release(git.root, branch, settings, git=git)
    click.echo(plan.render())
    if dry_run:
        click.echo("dry run: nothing changed")
        return
    if not plan.has_changes:
        click.echo("nothing to release (0 network requests)")
        return
    from envyard.assets.progress import progress_bar  # rich and httpx: only when releasing
    from envyard.assets.release import apply_release
    from envyard.assets.report import describe_entries

    publisher = None
    with contextlib.ExitStack() as stack:
        if registry or publish:
            from envyard.assets.publish import RegistryPublisher
            from envyard.client import Client

            client = stack.enter_context(Client(registry, token) if registry else Client())
            publisher = RegistryPublisher(client, settings, git.remote_url())
        count = len([i for i in plan.items if i.status in ("new", "updated")])
        advance = stack.enter_context(progress_bar("pinning", count))
        result = apply_release(
            plan,
            settings,
            online=online,
            publisher=publisher,
            on_asset=lambda r: advance(r.asset.name),
        )
    click.echo(f"committed {result.commit} on '{branch}'; tags: {', '.join(result.tags) or '-'}")
    if result.published:
        click.echo(f"published: {', '.join(result.published)}")
    for line in describe_entries(result.skipped):
        click.echo(line)
    click.echo(f"network requests: {result.requests}")


@cli.command()
@click.argument("name")
@click.option("--replacement", required=True, help="The environment to use instead.")
@click.option("--delete-on", required=True, metavar="YYYY-MM-DD", help="When to archive it.")
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
)
@click.option("--dry-run", is_flag=True, help="Print the new spec; write nothing.")
def deprecate(name: str, replacement: str, delete_on: str, repo: Path, dry_run: bool) -> None:
    """Mark NAME deprecated in its spec (description notice, Deprecated and DeleteOn tags)."""
    from envyard.assets.deprecate import deprecate_asset

    done = deprecate_asset(repo, name, replacement, delete_on, write=not dry_run)
    if done.warning:
        click.echo(f"warning: {done.warning}", err=True)
    if dry_run:
        click.echo(done.text, nl=False)
        return
    click.echo(
        f"deprecated {done.name} in {done.spec}: use {done.replacement}; "
        f"delete on {done.delete_on}. Release it to publish the deprecation."
    )


@cli.command()
@click.option("--due", is_flag=True, required=True, help="Archive what is due today.")
@click.option("--registry", metavar="URL", help="An Envyard server (default: local registry).")
@click.option("--token", envvar="ENVYARD_TOKEN")
@click.option("--today", metavar="YYYY-MM-DD", help="Pretend today is this date.")
@click.option("--dry-run", is_flag=True)
def archive(
    *, due: bool, registry: str | None, token: str | None, today: str | None, dry_run: bool
) -> None:
    """Archive every environment version whose DeleteOn date has passed."""
    from envyard.assets.deprecate import archive_due, parse_date
    from envyard.client import Client

    with Client(registry, token) if registry else Client() as client:
        refs = archive_due(client, today=parse_date(today) if today else None, dry_run=dry_run)
    verb = "would archive" if dry_run else "archived"
    click.echo(
        f"{verb} {len(refs)} environment version(s)" + (": " + ", ".join(refs) if refs else "")
    )


@cli.command("test")
@click.argument("name")
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
)
@click.option("--index-url", "index_urls", multiple=True, metavar="URL")
@click.option("--online", is_flag=True)
def test_cmd(name: str, repo: Path, index_urls: tuple[str, ...], online: bool) -> None:
    """Run NAME's pytest config in a fresh uv environment with its pip_requirements."""
    from envyard.assets.discover import discover, repo_root
    from envyard.assets.runtests import run_asset_tests

    root = repo_root(repo)
    asset = discover([repo], root).by_name(name)
    run = run_asset_tests(
        asset,
        _settings(root, (), index_urls),
        online=online,
        echo=lambda t: click.echo(t, err=True),
    )
    click.echo(run.output, nl=False)
    raise click.exceptions.Exit(run.exit_code)


@cli.command()
@click.argument("names", nargs=-1, required=True)
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
)
@click.option("--version", "version", help="Image tag (default: the released or manual version).")
@click.option("--registry", metavar="HOST", help="Registry host (default: the publish location).")
@click.option("--push", is_flag=True)
@click.option("--tool", type=click.Choice(["podman", "buildah", "docker"]))
@_resolve_options
def build(
    *,
    names: tuple[str, ...],
    repo: Path,
    version: str | None,
    registry: str | None,
    push: bool,
    tool: str | None,
    **resolve: Any,
) -> None:
    """Build each NAME's pinned context as <registry>/<image.name>:<version> (and push it)."""
    from envyard.assets.build import build_asset, default_version
    from envyard.assets.discover import discover, repo_root
    from envyard.assets.progress import progress_bar

    root = repo_root(repo)
    settings = _settings(root, **resolve)
    found = discover([repo], root)
    assets = [found.by_name(name) for name in names]
    with progress_bar("building", len(assets)) as advance:
        for asset in assets:
            built = build_asset(
                asset,
                settings,
                version=version or default_version(asset, settings),
                registry=registry,
                push=push,
                tool=tool,
                online=bool(resolve["online"]),
                echo=lambda t: click.echo(t, err=True),
            )
            advance(asset.name)
            click.echo(
                f"built {built.tag} with {built.tool}" + (" and pushed it" if built.pushed else "")
            )
