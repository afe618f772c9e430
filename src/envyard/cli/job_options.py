"""What the `envyard job` commands share: the job file argument (a missing file is exit 1),
``--param``/``--deployment``/``--env-file``, warnings about a plan, and following a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from envyard.jobs.plan import JobPlan

__all__ = ["DEPLOYMENT", "ENV_FILE", "JOB_FILE", "PARAMS", "follow", "job_file", "params", "warn"]

ENV_FILE = click.option(
    "--env-file",
    "env_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An environment spec file to use instead of the registry (repeatable).",
)


JOB_FILE = click.argument("job_file", type=click.Path(path_type=Path))
PARAMS = click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter given at submission (repeatable). It replaces the file's value and reaches "
    "the commands only as an environment variable, never as shell text.",
)
DEPLOYMENT = click.option(
    "--deployment",
    metavar="NAME",
    help="One of the file's `deployments` (default: defaults.deployment).",
)


def job_file(path: Path) -> Path:
    """A missing or unreadable job file is a user mistake (exit 1, one line), not a usage one."""
    from envyard.errors import NotFoundError

    if not path.is_file():
        what = "is a directory, not a job file" if path.is_dir() else "no such job file"
        raise NotFoundError(f"{path}: {what}", hint="give the path of a job YAML file")
    return path


def params(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--param")
        from envyard.spec.job import check_plain_name

        try:
            check_plain_name(key, "parameter name")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--param") from None
        out[key] = value
    return out


def warn(plan: JobPlan) -> None:
    """Deprecated environments or prerequisites used, and references left as written."""
    for warning in plan.resolved.warnings:
        click.echo(f"warning: {warning}", err=True)
    shown: set[str] = set()
    for boot in plan.roles.values():
        for diagnostic in boot.warnings:
            line = diagnostic.render()
            if line not in shown:
                shown.add(line)
                click.echo(line, err=True)


def follow(handle: Any, run_id: str, *, err: bool = True) -> None:
    """Print each instance's new output as it comes, until the run ends. Ctrl-C stops
    following only: the run goes on, and the message says how to cancel it."""
    import time

    shown: dict[str, int] = {}
    try:
        while True:
            done = handle.status().done
            seen: dict[str, int] = {}
            for line in handle.logs().splitlines():
                who = line.split(" ", 1)[0]
                seen[who] = seen.get(who, 0) + 1
                if seen[who] > shown.get(who, 0):
                    click.echo(line, err=err)
            shown = seen
            if done:
                return
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo(
            f"\nstopped following; run {run_id} is still running. "
            f"Cancel it with `envyard job cancel {run_id}`, "
            f"follow it again with `envyard job logs {run_id} --follow`",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
