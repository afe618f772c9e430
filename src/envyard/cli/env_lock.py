"""``envyard env lock | relock | search``: the exact packages of environment versions.

Each version is locked when it is made (``env create``/``update``/``import-conda``); these
commands show a lock, make a new version locked again now, and find the environments holding a
package. ``envyard env diff A B`` (in :mod:`envyard.cli.registry_commands`) shows package
changes with :meth:`envyard.locking.diff.LockDiff.text`.
"""

from __future__ import annotations

from typing import Any

import click

from envyard.cli.registry_common import client_options, make_client, shown

__all__ = ["lock", "platform_option", "relock", "search"]

PLATFORM_HELP = "Lock for this platform too (linux-64, linux-aarch64, osx-64, osx-arm64, win-64)."


def platform_option(func: Any) -> Any:
    """``--platform P`` (repeat): platforms beyond ``ENVYARD_LOCK_PLATFORMS`` (linux-64)."""
    return click.option("--platform", "platforms", multiple=True, help=PLATFORM_HELP)(func)


def _lock_text(view: Any) -> str:
    lock = view.lock
    if lock is None:
        return f"{view.ref}  (no lock: no kernel, or made before locks; see `env relock`)\n"
    lines = [f"{view.ref}  lock {view.lock_hash}"]
    lines.append(f"python {lock.python or '-'}")
    for platform, packages in lock.platforms.items():
        lines.append(f"{platform}:")
        lines += [f"  {p.name}=={p.version}  pip" for p in packages.pip]
        lines += [f"  {c.name}={c.version}={c.build}  conda  {c.channel}" for c in packages.conda]
    return "\n".join(lines) + "\n"


@click.command("lock")
@click.argument("ref")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "yaml", "json"]),
    default="text",
    show_default=True,
    help="text: one package per line; yaml/json: the whole lock (URLs, sha256...).",
)
@client_options
def lock(ref: str, fmt: str, url: str | None, token: str | None) -> None:
    """Print the lock of REF (NAME or NAME@VERSION): every package, version and file."""
    with make_client(url, token) as client:
        view = client.environments.lock(ref)
    if fmt == "json":
        text = view.model_dump_json(indent=2) + "\n"
    elif fmt == "yaml":
        from envyard.yamlio import dump

        text = dump(view.model_dump(mode="json"))
    else:
        text = _lock_text(view)
    click.echo(shown("environments", text), nl=False)  # the stored lock keeps credentials


@click.command("relock")
@click.argument("name")
@platform_option
@client_options
def relock(name: str, platforms: tuple[str, ...], url: str | None, token: str | None) -> None:
    """Make a new version of NAME: the current spec, locked again now (locks never change)."""
    from envyard.cli.registry_commands import print_written

    with make_client(url, token) as client:
        record = client.environments.relock(name, platforms=platforms)
    print_written("relocked", record)


@click.command("search")
@click.argument("package")
@click.option("--limit", type=click.IntRange(1, 500), default=100, show_default=True)
@client_options
def search(package: str, limit: int, url: str | None, token: str | None) -> None:
    """Environments whose lock holds PACKAGE (a name, or a constraint such as 'torch>=2')."""
    with make_client(url, token) as client:
        found = client.environments.search_packages(package, limit=limit)
    for match in found:
        click.echo(
            f"{match.ref}  {match.package}=={match.version}  {match.source}  {match.platform}"
        )
    if not found:
        click.echo(f"no environment holds {package}", err=True)
