"""`envyard asset pin | build | test`: work on assets' build contexts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from envyard.cli.asset_options import asset_settings, resolve_options
from envyard.errors import ConfigError, SpecError


@click.command()
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
@resolve_options
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

    from envyard.assets.discovery.discover import discover, repo_root
    from envyard.assets.discovery.model import unsafe_names
    from envyard.assets.pinning.pin import pin_assets, write_pinned
    from envyard.assets.progress import progress_bar
    from envyard.assets.report import describe_entries

    root = repo_root(path)
    settings = asset_settings(root, digest=digest, **resolve)
    online = bool(resolve["online"])
    found = discover([path], root)
    broken = [d for d in found.diagnostics if d.severity == "error"]
    assets = [a for a in found.assets if a.context_dir is not None]
    broken += unsafe_names(assets)  # a name becomes the output folder: never ../x
    if broken:  # the load errors as they are (file:line:col), not "no asset found"
        raise SpecError(broken)
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


@click.command("test")
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
    from envyard.assets.build.tests import run_asset_tests
    from envyard.assets.discovery.discover import discover, repo_root

    root = repo_root(repo)
    asset = discover([repo], root).by_name(name)
    run = run_asset_tests(
        asset,
        asset_settings(root, (), index_urls),
        online=online,
        echo=lambda t: click.echo(t, err=True),
    )
    click.echo(run.output, nl=False)
    raise click.exceptions.Exit(run.exit_code)


@click.command()
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
@resolve_options
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
    from envyard.assets.build.image import build_asset, default_version
    from envyard.assets.discovery.discover import discover, repo_root
    from envyard.assets.discovery.model import unsafe_names
    from envyard.assets.progress import progress_bar

    root = repo_root(repo)
    settings = asset_settings(root, **resolve)
    found = discover([repo], root)
    assets = [found.by_name(name) for name in names]
    if problems := unsafe_names(assets):  # a name becomes an image tag
        raise SpecError(problems)
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
