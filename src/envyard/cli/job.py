"""`envyard job render|submit|status|logs|cancel|list`: thin commands over envyard.jobs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from envyard.registry.run_states import FINAL_STATES, RUN_STATES

if TYPE_CHECKING:
    from envyard.jobs.load import LoadedJob
    from envyard.jobs.resolve import Catalogue

from envyard.cli.job_options import (
    DEPLOYMENT as _DEPLOYMENT,
)
from envyard.cli.job_options import (
    ENV_FILE as _ENV_FILE,
)
from envyard.cli.job_options import (
    JOB_FILE as _JOB_FILE,
)
from envyard.cli.job_options import (
    PARAMS as _PARAMS,
)
from envyard.cli.job_options import (
    follow as _follow,
)
from envyard.cli.job_options import (
    job_file as _job_file,
)
from envyard.cli.job_options import (
    params as _params,
)
from envyard.cli.job_options import (
    warn as _warn,
)


@click.group()
def cli() -> None:
    """Render, submit and follow jobs (OpenPAI protocol v2 with prerequisite callbacks)."""


def _catalogue(env_files: tuple[Path, ...]) -> Catalogue:
    from envyard.jobs.resolve import FileCatalogue, RegistryCatalogue

    return FileCatalogue.from_paths(env_files, RegistryCatalogue())


@cli.command()
@_JOB_FILE
@click.option("--task-role", "-r", "role", help="The task role (default: the only one).")
@click.option(
    "--kernel",
    type=click.Choice(["activate", "none"]),
    default="activate",
    show_default=True,
    help="Activate the environment's kernel in the script.",
)
@click.option(
    "--backend",
    type=click.Choice(["bootstrap", "kubernetes"]),
    default="bootstrap",
    show_default=True,
    help="Print the bootstrap script, or the Kubernetes manifests of every task role.",
)
@click.option("--namespace", default="default", show_default=True, help="Kubernetes namespace.")
@click.option(
    "--apply",
    is_flag=True,
    help="With --backend kubernetes: create them in the cluster of your kubeconfig (a run).",
)
@_PARAMS
@_DEPLOYMENT
@_ENV_FILE
def render(
    job_file: Path,
    *,
    role: str | None,
    kernel: str,
    backend: str,
    namespace: str,
    apply: bool,
    params: tuple[str, ...],
    deployment: str | None,
    env_files: tuple[Path, ...],
) -> None:
    """Print the bootstrap of one task role (runnable with bash), or Kubernetes manifests."""
    _job_file(job_file)
    given = _params(params)
    if apply:
        if backend != "kubernetes":
            raise click.UsageError("--apply goes with --backend kubernetes")
        from envyard.jobs.runs import submit_job

        result = submit_job(
            job_file,
            backend="kubernetes",
            env_files=env_files,
            settings={"namespace": namespace},
            params=given,
            deployment=deployment,
        )
        click.echo(result.run.id)
        return
    from envyard.jobs.load import load_job
    from envyard.jobs.plan import plan_job

    job = load_job(job_file)
    supplied = tuple(f"'$parameters.{key}' is not defined" for key in given)
    for warning in job.warnings:
        if not warning.message.startswith(supplied):  # (not when --param gives it)
            click.echo(warning.render(), err=True)
    if backend == "kubernetes":
        from envyard.jobs.manifests import manifests_yaml

        plan = plan_job(job, _catalogue(env_files), params=given, deployment=deployment)
        _warn(plan)
        click.echo(manifests_yaml(plan, namespace=namespace), nl=False)
        return
    role = role or _only_role(job)
    plan = plan_job(
        job,
        _catalogue(env_files),
        roles=[role],
        kernel_mode=kernel,  # type: ignore[arg-type]
        params=given,
        deployment=deployment,
    )
    _warn(plan)
    click.echo(plan.roles[role].script, nl=False)


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _only_role(job: LoadedJob) -> str:
    from envyard.errors import SpecError

    roles = list(job.spec.taskRoles)
    if len(roles) != 1:
        raise SpecError.at(
            job.document.file,
            "this job has several task roles; choose one with --task-role",
            field="taskRoles",
            hint="task roles: " + ", ".join(roles),
        )
    return roles[0]


@cli.command()
@_JOB_FILE
@click.option("--target", "-t", help="Where to run (a targets.yaml entry; default ENVYARD_TARGET).")
@click.option("--backend", "-b", help="Override the target's backend (local, container, ray, ...).")
@click.option(
    "--targets",
    "targets_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The targets file (default: ./targets.yaml).",
)
@click.option("--wait", is_flag=True, help="Follow the run's logs as they come until it ends.")
@click.option(
    "--dry-run", is_flag=True, help="Print what would run (overrides applied); submit nothing."
)
@_PARAMS
@_DEPLOYMENT
@_ENV_FILE
def submit(
    job_file: Path,
    *,
    target: str | None,
    backend: str | None,
    targets_file: Path | None,
    wait: bool,
    dry_run: bool,
    params: tuple[str, ...],
    deployment: str | None,
    env_files: tuple[Path, ...],
) -> None:
    """Submit a job; prints the run id (follow it with `envyard job status RUN`)."""
    from envyard.jobs.runs import refresh, submit_job

    result = submit_job(
        _job_file(job_file),
        target=target,
        backend=backend,
        targets_file=targets_file,
        env_files=env_files,
        dry_run=dry_run,
        created_by=_user(),
        params=_params(params),
        deployment=deployment,
    )
    _warn(result.plan)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.run is None:
        click.echo(result.dry_run, nl=False)
        return
    click.echo(result.run.id)
    if wait:
        _follow(result.handle, result.run.id)
        run = refresh(result.run.id)
        click.echo(f"{run.id} {run.state} (exit code {run.exit_code})", err=True)
        raise click.exceptions.Exit(0 if run.state == "succeeded" else 1)


@cli.command()
@click.argument("run_id")
@click.option("--wait", is_flag=True, help="Block until the run has finished.")
def status(run_id: str, wait: bool) -> None:
    """Show a run's state, times and exit code."""
    from envyard.jobs.handles import handle_of
    from envyard.jobs.runs import refresh

    run = refresh(run_id)
    if wait and run.state not in FINAL_STATES:
        handle_of(run).wait()
        run = refresh(run_id)
    click.echo(f"run:       {run.id}")
    click.echo(f"job:       {run.job_name}")
    click.echo(f"backend:   {run.backend}" + (f" (target {run.target})" if run.target else ""))
    click.echo(f"state:     {run.state}")
    click.echo(f"created:   {run.created_at:%Y-%m-%d %H:%M:%S}")
    if run.started_at:
        click.echo(f"started:   {run.started_at:%Y-%m-%d %H:%M:%S}")
    if run.finished_at:
        click.echo(f"finished:  {run.finished_at:%Y-%m-%d %H:%M:%S}")
    if run.exit_code is not None:
        click.echo(f"exit code: {run.exit_code}")
    if run.run_dir:
        click.echo(f"run dir:   {run.run_dir}")


@cli.command()
@click.argument("run_id")
@click.option("--follow", "-f", is_flag=True, help="Keep printing output until the run ends.")
def logs(run_id: str, follow: bool) -> None:
    """Print the output of every instance of a run (secrets masked)."""

    from envyard.jobs.handles import handle_of
    from envyard.jobs.runs import refresh

    run = refresh(run_id)
    handle = handle_of(run)
    if follow:
        _follow(handle, run_id, err=False)
        refresh(run_id)
        return
    for line in handle.logs().splitlines():
        click.echo(line)


@cli.command()
@click.argument("run_id")
def cancel(run_id: str) -> None:
    """Stop a run: exit callbacks still run, then its processes are killed."""
    from envyard.jobs.runs import cancel_run, refresh

    run = refresh(run_id)
    if run.state in FINAL_STATES:
        click.echo(f"{run.id} already {run.state}")
        return
    run = cancel_run(run_id)
    click.echo(f"{run.id} {run.state}")


@cli.command(name="list")
@click.option("--state", type=click.Choice(RUN_STATES))
@click.option("--limit", default=20, show_default=True)
def list_runs(state: str | None, limit: int) -> None:
    """List runs, newest first."""
    from envyard.client import Client
    from envyard.jobs.runs import refresh

    runs = Client().runs.list(state=state, limit=limit)
    if not runs:
        click.echo("no runs")
        return
    click.echo(
        f"{'RUN':<12}{'JOB':<24}{'BACKEND':<12}{'TARGET':<12}{'STATE':<11}{'EXIT':<6}CREATED"
    )
    for listed in runs:
        run = refresh(listed.id) if listed.state in ("pending", "running") else listed
        code = "" if run.exit_code is None else str(run.exit_code)
        click.echo(
            f"{run.id:<12}{run.job_name[:23]:<24}{run.backend:<12}{(run.target or '-')[:11]:<12}"
            f"{run.state:<11}{code:<6}"
            f"{run.created_at:%Y-%m-%d %H:%M:%S}"
        )
