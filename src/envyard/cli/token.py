"""``envyard token``: API tokens with a scope (read < write < admin), stored hashed.

On the local metastore (the server's ENVYARD_DB_URL) no token is needed: that is how the first
admin token is made. Against a server (--url) an admin token is needed.
"""

from __future__ import annotations

import click

from envyard.cli.registry_common import client_options, make_client, table


@click.group()
def cli() -> None:
    """Create, list and revoke API tokens."""


def _default_name() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


@cli.command()
@click.option(
    "--name",
    default=_default_name,
    show_default="your user name",
    help="Who or what uses it (e.g. ci, alice).",
)
@click.option(
    "--scope",
    type=click.Choice(["read", "write", "admin"]),
    default="read",
    show_default=True,
    help="read: get/list; write: also create/update/deprecate/archive/delete; admin: tokens.",
)
@client_options
def create(name: str, scope: str, url: str | None, token: str | None) -> None:
    """Create a token; it is printed once, alone on the last line."""
    with make_client(url, token) as client:
        record, secret = client.tokens.create(name, scope)
    click.echo(f"created token {record.name} (id {record.id}, scope {record.scope})")
    click.echo("store it now: only its hash is kept, it cannot be shown again")
    click.echo(secret)


@cli.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@client_options
def list_(include_revoked: bool, url: str | None, token: str | None) -> None:
    """List tokens (never their secrets)."""
    with make_client(url, token) as client:
        records = client.tokens.list(include_revoked=include_revoked)
    if not records:
        click.echo("no tokens", err=True)
        return
    rows = [
        [r.id, r.name, r.scope, r.created_at.strftime("%Y-%m-%d %H:%M"), r.created_by or "",
         "revoked" if r.revoked_at else "active"]
        for r in records
    ]  # fmt: skip
    click.echo(table(rows, ["ID", "NAME", "SCOPE", "CREATED", "BY", "STATUS"]))


@cli.command()
@click.argument("id_or_name")
@client_options
def revoke(id_or_name: str, url: str | None, token: str | None) -> None:
    """Revoke the token with this id, or every active token with this name."""
    with make_client(url, token) as client:
        records = client.tokens.revoke(id_or_name)
    for record in records:
        click.echo(f"revoked {record.id} ({record.name}, {record.scope})")
