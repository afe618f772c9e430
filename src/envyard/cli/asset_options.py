"""Options shared by the `envyard asset` commands that resolve template tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from envyard.errors import ConfigError


def asset_settings(  # noqa: PLR0917 - mirrors the CLI options
    root: Path,
    mirrors: tuple[str, ...] = (),
    index_urls: tuple[str, ...] = (),
    digest: bool = False,
    find_links: tuple[str, ...] = (),
    no_index: bool = False,
    **_ignored: Any,
) -> Any:
    """The repository's ``[assets]`` settings with the command line's overrides."""
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


def resolve_options(func: Any) -> Any:
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
