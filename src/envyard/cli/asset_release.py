"""`envyard asset release | deprecate | archive`: an asset's life after it is written."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from envyard.cli.asset_options import asset_settings, resolve_options


@click.command()
@click.option(
    "--repo",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    show_default=True,
    help="The assets repository (git).",
)
@click.option("--release-branch", "branch", default="release", show_default=True)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the plan and run every check of a release (lookups included); change nothing.",
)
@click.option("--registry", metavar="URL", help="Publish released environments to this server.")
@click.option("--token", envvar="ENVYARD_TOKEN", help="API token for --registry.")
@click.option("--publish", is_flag=True, help="Publish to the local registry (ENVYARD_HOME).")
@click.option("--digest", is_flag=True, help="Pin image tags as tag@sha256:... .")
@click.option(
    "--allow-unresolved",
    is_flag=True,
    help="Release template tags whose source is not configured as written (re-pinned later).",
)
@resolve_options
def release(
    *,
    repo: Path,
    branch: str,
    dry_run: bool,
    registry: str | None,
    token: str | None,
    publish: bool,
    digest: bool,
    allow_unresolved: bool,
    **resolve: Any,
) -> None:
    """Release new and updated assets to the release branch: one commit, one tag per asset."""
    from envyard.assets.release.git import Git
    from envyard.assets.release.plan import plan_release

    git = Git(repo)
    source = repo.resolve()  # --repo FOLDER releases that folder only, with its settings
    settings = asset_settings(source, digest=digest, **resolve)
    online = bool(resolve["online"])
    plan = plan_release(source, branch, settings, git=git)
    click.echo(plan.render())
    if not plan.has_changes:
        click.echo(
            "dry run: nothing changed" if dry_run else "nothing to release (0 network requests)"
        )
        return
    from envyard.assets.progress import progress_bar  # rich and httpx: only when releasing
    from envyard.assets.release.apply import apply_release
    from envyard.assets.report import describe_entries

    publisher = None
    with contextlib.ExitStack() as stack:
        if registry or publish:
            from envyard.assets.release.publish import RegistryPublisher
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
            allow_unresolved=allow_unresolved,
            dry_run=dry_run,  # every check of the release, then stop before writing
        )
    if dry_run:
        for line in describe_entries(result.skipped):
            click.echo(line)
        click.echo(f"network requests: {result.requests}")
        click.echo("dry run: nothing changed")
        return
    click.echo(f"committed {result.commit} on '{branch}'; tags: {', '.join(result.tags) or '-'}")
    if result.published:
        click.echo(f"published: {', '.join(result.published)}")
    for warning in publisher.warnings if publisher is not None else []:
        click.echo(f"warning: {warning}", err=True)
    for line in describe_entries(result.skipped):
        click.echo(line)
    click.echo(f"network requests: {result.requests}")


@click.command()
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
    from envyard.assets.release.deprecate import deprecate_asset

    done = deprecate_asset(repo, name, replacement, delete_on, write=not dry_run)
    if done.warning:
        click.echo(f"warning: {done.warning}", err=True)
    if dry_run:
        click.echo(done.text, nl=False)
        if done.description is not None:
            click.echo(f"--- {done.description}")
            click.echo(done.description_text, nl=False)
        return
    notice = f" (the notice in {done.description.name})" if done.description else ""
    click.echo(
        f"deprecated {done.name} in {done.spec}{notice}: use {done.replacement}; "
        f"delete on {done.delete_on}. Release it to publish the deprecation."
    )


@click.command()
@click.option("--due", is_flag=True, required=True, help="Archive what is due today.")
@click.option("--registry", metavar="URL", help="An Envyard server (default: local registry).")
@click.option("--token", envvar="ENVYARD_TOKEN")
@click.option("--today", metavar="YYYY-MM-DD", help="Pretend today is this date.")
@click.option("--dry-run", is_flag=True)
def archive(
    *, due: bool, registry: str | None, token: str | None, today: str | None, dry_run: bool
) -> None:
    """Archive every environment version whose DeleteOn date has passed."""
    from envyard.assets.release.deprecate import archive_due, parse_date
    from envyard.client import Client

    with Client(registry, token) if registry else Client() as client:
        refs = archive_due(client, today=parse_date(today) if today else None, dry_run=dry_run)
    verb = "would archive" if dry_run else "archived"
    names = {ref.partition("@")[0] for ref in refs}
    click.echo(
        f"{verb} {len(refs)} version(s) of {len(names)} environment(s)"
        + (": " + ", ".join(refs) if refs else "")
    )
