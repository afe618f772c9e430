"""``envyard env launch NAME[@VER] [--engine local|podman|docker] -- CMD...``.

Resolves the environment (from the registry, or ``--file`` for a spec file), then hands it
to :mod:`envyard.launch`. The command's exit code becomes Envyard's exit code.
"""

from __future__ import annotations

from pathlib import Path

import click

from envyard.cli.registry_common import client_options, make_client

__all__ = ["launch"]


def _say(line: str) -> None:
    click.echo(f"envyard: {line}", err=True)


@click.command(
    "launch",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("args", nargs=-1, required=True, metavar="NAME[@VERSION] -- CMD...")
@click.option(
    "--engine",
    default="local",
    show_default=True,
    metavar="NAME",
    help="local: a uv kernel on this machine; podman/docker: the environment's image; "
    "or an installed backend plugin.",
)
@click.option(
    "-f",
    "--file",
    "spec_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Launch the environment in this spec file instead of one from the registry.",
)
@click.option(
    "--network",
    type=click.Choice(["none", "host"]),
    default="none",
    show_default=True,
    help="Container network (the default bridge is never used).",
)
@click.option("-v", "--volume", multiple=True, help="Container volume (podman/docker -v syntax).")
@click.option("-e", "--env", "env_vars", multiple=True, help="Container variable NAME=VALUE.")
@click.option("-w", "--workdir", help="Working directory inside the container.")
@click.option(
    "--use-image-entrypoint",
    is_flag=True,
    help="Rely on the image's ENTRYPOINT being Envyard's bootstrap (see docs/launch.md).",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Install the kernel again even if it is cached (for -f, also lock it again: new "
    "releases of unpinned requirements); local engine.",
)
@click.option("--dry-run", is_flag=True, help="Print what would run, run nothing.")
@client_options
@click.pass_context
def launch(
    ctx: click.Context,
    *,
    args: tuple[str, ...],
    engine: str,
    spec_file: Path | None,
    network: str,
    volume: tuple[str, ...],
    env_vars: tuple[str, ...],
    workdir: str | None,
    use_image_entrypoint: bool,
    rebuild: bool,
    dry_run: bool,
    url: str | None,
    token: str | None,
) -> None:
    """Run CMD in an environment, its kernel created or reused first.

    \b
    envyard env launch team-default -- python train.py --batch-size 5
    envyard env launch team-default@3 --engine podman -- jupyter lab
    envyard env launch -f environment.yaml -- python -c 'import six'
    """
    import os

    from envyard.settings import load_settings

    settings = load_settings()
    if spec_file is None and engine == "local" and not (dry_run or rebuild or url):
        from envyard.launch.fastpath import find_relaunch

        cached = find_relaunch(args, settings)  # stdlib only: no registry or engine code
        if cached is not None:
            ctx.exit(cached.run(dict(os.environ)))
    from envyard.launch import LaunchRequest, plan_launch
    from envyard.launch import launch as run_launch

    if spec_file is not None:
        from envyard.spec import Environment, load_model

        environment = load_model(spec_file, Environment, "environment")
        lock = None  # a spec file is locked by the local engine on first use
        ref = environment.name
        if environment.version:
            ref += f"@{environment.version}"
        command = args
    else:
        with make_client(url, token) as client:
            record = client.environments.get(args[0])
            lock = client.environments.lock(record.ref).lock if record.lock_hash else None
        environment, ref, command = record.spec(), record.ref, args[1:]
        if record.state != "active":
            _say(
                f"warning: {ref} is {record.state}"
                + (f"; use {record.replaced_by} instead" if record.replaced_by else "")
            )
    if command[:1] == ("--",):
        command = command[1:]
    if not command:
        raise click.UsageError("no command given: envyard env launch NAME -- CMD...")
    request = LaunchRequest(
        environment=environment,
        ref=ref,
        command=tuple(command),
        env=dict(os.environ),
        cache_root=settings.kernel_cache,
        network="host" if network == "host" else "none",
        volumes=volume,
        env_vars=env_vars,
        use_image_entrypoint=use_image_entrypoint,
        workdir=workdir,
        rebuild=rebuild,
        lock=lock,
    )
    if dry_run:
        click.echo(plan_launch(request, engine).render(), nl=False)
        return
    ctx.exit(run_launch(request, engine, log=_say))
