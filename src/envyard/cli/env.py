"""``envyard env``: environments in the registry (local metastore, or a server with --url).

``envyard env launch`` lives in ``envyard.cli.env_launch``; ``lock``, ``relock`` and ``search``
in ``envyard.cli.env_lock`` (imported when used).
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import click

from envyard.cli.env_lock import platform_option
from envyard.cli.registry_commands import add_versioned_commands, print_written
from envyard.cli.registry_common import client_options, format_tags, make_client, parse_tags

# sub-commands that live in other modules: name -> (module, attribute)
LAZY: dict[str, tuple[str, str]] = {
    "launch": ("envyard.cli.env_launch", "launch"),
    "lock": ("envyard.cli.env_lock", "lock"),
    "relock": ("envyard.cli.env_lock", "relock"),
    "search": ("envyard.cli.env_lock", "search"),
}


class EnvGroup(click.Group):
    """Adds the lazily imported sub-commands (only when their module exists)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [n for n, (module, _) in LAZY.items() if importlib.util.find_spec(module)]
        return sorted([*super().list_commands(ctx), *lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY:
            module, attr = LAZY[cmd_name]
            if importlib.util.find_spec(module) is None:
                return None
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):  # pragma: no cover - programming error
                raise TypeError(f"{module}.{attr} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=EnvGroup)
def cli() -> None:
    """Manage environments: base image (docker/VM) + kernel, versioned, with a lifecycle.

    REF is NAME (the newest active version) or NAME@VERSION. Commands work on the local
    metastore (ENVYARD_DB_URL) or on a server (--url / ENVYARD_URL, --token / ENVYARD_TOKEN).
    """


def _columns(record: Any) -> list[str]:
    return [
        record.name, record.version, record.state, record.image or record.vm_image or "",
        format_tags(record.tags), record.updated_at.strftime("%Y-%m-%d %H:%M"),
    ]  # fmt: skip


add_versioned_commands(
    cli,
    kind="environments",
    noun="environment",
    headers=["NAME", "VERSION", "STATE", "IMAGE", "TAGS", "UPDATED"],
    columns=_columns,
)


def load_environment_file(path: Path) -> Any:
    """The environment in ``path``, with every problem reported as file:line:col."""
    from envyard.spec.environment import Environment
    from envyard.spec.loader import load_model

    return load_model(path, Environment, "environment")


@cli.command()
@click.option("-f", "--file", "file", required=True, type=click.Path(path_type=Path))
@platform_option
@client_options
def create(file: Path, platforms: tuple[str, ...], url: str | None, token: str | None) -> None:
    """Create an environment from a YAML spec file (version 1 unless it names one).

    Its kernel is locked to exact packages now (see `envyard env lock NAME`).
    """
    spec = load_environment_file(file)
    with make_client(url, token) as client:
        record = client.environments.create(spec, platforms=platforms)
    print_written("created", record)


@cli.command()
@click.argument("name", required=False)
@click.option("-f", "--file", "file", type=click.Path(path_type=Path), help="A full spec.")
@click.option("--image", help="New docker/OCI image.")
@click.option("--vm-image", help="New VM image.")
@click.option("--description", help="New description.")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE to set (repeat).")
@click.option("--untag", multiple=True, help="KEY to remove (repeat).")
@click.option("--version", "version", help="Version label (default: the next number).")
@click.option("--if-match", help="Only if unchanged since this ETag.")
@platform_option
@client_options
def update(
    *,
    name: str | None, file: Path | None, image: str | None, vm_image: str | None,
    description: str | None, tags: tuple[str, ...], untag: tuple[str, ...], version: str | None,
    if_match: str | None, platforms: tuple[str, ...], url: str | None, token: str | None,
) -> None:  # fmt: skip
    """Add a new version of NAME: from a full spec (-f), or by changing some fields.

    Versions are immutable: the previous ones stay as they are.
    """
    with make_client(url, token) as client:
        if file is not None:
            spec = load_environment_file(file)
            if version is not None:
                spec = spec.model_copy(update={"version": version})
            record = client.environments.update(
                name or spec.name, spec, if_match=if_match, platforms=platforms
            )
        else:
            if name is None:
                raise click.UsageError("give NAME (or -f FILE)")
            changes = _changes(
                client,
                name=name,
                image=image,
                vm_image=vm_image,
                description=description,
                tags=tags,
                untag=untag,
                version=version,
            )
            record = client.environments.update(
                name, changes, if_match=if_match, platforms=platforms
            )
    print_written("updated", record)


def _changes(
    client: Any,
    *, name: str, image: str | None, vm_image: str | None, description: str | None,
    tags: tuple[str, ...], untag: tuple[str, ...], version: str | None,
) -> dict[str, Any]:  # fmt: skip
    given = {"image": image, "vm_image": vm_image, "description": description, "version": version}
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if tags or untag:
        current = dict(client.environments.versions(name, include_archived=True)[0].tags)
        current.update(parse_tags(tags))
        for key in untag:
            current.pop(key, None)
        changes["tags"] = current
    if not changes:
        raise click.UsageError("nothing to change: give -f FILE or --image/--description/--tag...")
    return changes


@cli.command("import-conda")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="Environment name (created, or a new version).")
@click.option("--image", help="Docker/OCI image (required for a new environment).")
@click.option("--vm-image", help="VM image.")
@click.option("--description", default="", help="Description.")
@click.option("--tag", "tags", multiple=True, help="KEY=VALUE (repeat).")
@platform_option
@client_options
def import_conda(
    *,
    file: Path, name: str, image: str | None, vm_image: str | None, description: str,
    tags: tuple[str, ...], platforms: tuple[str, ...], url: str | None, token: str | None,
) -> None:  # fmt: skip
    """Make FILE (`conda env export` output) the kernel of environment NAME.

    A new name is created (needs --image or --vm-image); an existing one gets a new version
    with this kernel (and the other options given).
    """
    from envyard.errors import NotFoundError
    from envyard.registry.conda import environment_from_conda

    body = environment_from_conda(
        file, name=name, image=image, vm_image=vm_image, description=description,
        tags=parse_tags(tags),
    )  # fmt: skip
    with make_client(url, token) as client:
        try:
            client.environments.versions(name, include_archived=True)
        except NotFoundError:
            if image is None and vm_image is None:
                raise click.UsageError(f"'{name}' is new: give --image (or --vm-image)") from None
            record = client.environments.create(body, platforms=platforms)
            print_written("created", record)
            return
        changes = {k: v for k, v in body.items() if k != "name" and v not in ("", {}, None)}
        record = client.environments.update(name, changes, platforms=platforms)
    print_written("updated", record)
