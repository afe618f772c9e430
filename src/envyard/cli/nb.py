"""``envyard nb``: run notebooks as tests (notebook CI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from envyard.notebooks import early

if TYPE_CHECKING:
    from envyard.notebooks.session import SessionReport, SessionRequest


@click.group()
def cli() -> None:
    """Run notebooks as tests: fresh kernel per notebook, JUnit/JSON/HTML reports."""


def _parameter(value: str) -> tuple[str, object]:
    name, sep, raw = value.partition("=")
    if not sep or not name.isidentifier():
        raise click.BadParameter(f"'{value}' is not NAME=VALUE", param_hint="-p/--parameter")
    try:
        parsed: object = json.loads(raw)  # JSON data only, never evaluated as code
    except json.JSONDecodeError:
        parsed = raw
    return name, parsed


@cli.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--env", "environment", metavar="NAME[@VER]", help="Registry environment to run in.")
@click.option("--changed-since", metavar="REF", help="Only notebooks affected since git REF.")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1),
    default=2,
    show_default=True,
    help="Notebooks run in parallel (and kernels started ahead).",
)
@click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per notebook."
)
@click.option(
    "--cell-timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per cell."
)
@click.option("--junit", type=click.Path(path_type=Path, dir_okay=False), help="JUnit XML file.")
@click.option("--junit-cells", is_flag=True, help="One JUnit testcase per cell.")
@click.option(
    "--json", "json_file", type=click.Path(path_type=Path, dir_okay=False), help="JSON summary."
)
@click.option(
    "--html", "html_file", type=click.Path(path_type=Path, dir_okay=False), help="HTML summary."
)
@click.option(
    "--output-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Save executed notebooks (plus summary.json and summary.html) here.",
)
@click.option(
    "--backend",
    default="local",
    show_default=True,
    metavar="NAME",
    help="Where kernels run: local (here), container/podman (the environment's image), ray, "
    "or an installed backend plugin.",
)
@click.option("--target", help="Apply this target's overrides to staged copies of the config.")
@click.option("--ray-address", help="Ray cluster address (--backend ray; default: RAY_ADDRESS).")
@click.option(
    "-p",
    "--param",
    "--parameter",
    "parameters",
    multiple=True,
    help="NAME=VALUE injected after the cell tagged `parameters` (VALUE: JSON if it parses).",
)
@click.option(
    "--allow-empty", is_flag=True, help="Exit 0 when PATHS hold no notebook (default: exit 5)."
)
@click.option(
    "--fork/--no-fork",
    default=True,
    show_default=True,
    help="Start Python kernels from a fork server (--no-fork: python -m ipykernel_launcher).",
)
@click.option("--quiet", "-q", is_flag=True, help="No live progress.")
def test(  # noqa: PLR0917 - click passes every option as an argument
    paths: tuple[Path, ...],
    environment: str | None,
    changed_since: str | None,
    workers: int,
    timeout: float | None,
    cell_timeout: float | None,
    junit: Path | None,
    junit_cells: bool,
    json_file: Path | None,
    html_file: Path | None,
    output_dir: Path | None,
    backend: str,
    target: str | None,
    ray_address: str | None,
    parameters: tuple[str, ...],
    fork: bool,
    quiet: bool,
    allow_empty: bool,
) -> None:
    """Run the notebooks in PATHS (files or folders; default: the current folder).

    Exit 0 (all passed or skipped), 1 (a failure or error), 5 (no notebooks; see
    --allow-empty), 130 (Ctrl-C: the first stops and reports, a second kills at once).
    """
    if fork and backend == "local" and not environment:  # overlaps our imports (see .early)
        early.prestart(sys.executable)
    try:
        from envyard.notebooks.session import SessionRequest

        if environment:
            _warn_deprecated(environment)
        report = _run(
            SessionRequest(
                paths=list(paths) or [Path()],
                environment=environment,
                changed_since=changed_since,
                workers=workers,
                timeout=timeout,
                cell_timeout=cell_timeout,
                output_dir=output_dir,
                backend=backend,
                target=target,
                fork=fork,
                parameters=dict(_parameter(p) for p in parameters),
                backend_options={"address": ray_address}
                if backend == "ray" and ray_address
                else {},
            ),
            quiet=quiet,
        )
        _write_reports(report, junit, junit_cells, output_dir, json_file, html_file)
        _finish(report, paths, changed_since, allow_empty)
    finally:
        early.discard()


def _run(request: SessionRequest, *, quiet: bool) -> SessionReport:
    from envyard.notebooks.session import run_session

    if quiet:  # no live progress: rich is not even imported
        return run_session(request)
    from rich.console import Console

    from envyard.notebooks.progress import LiveProgress

    with LiveProgress(Console(stderr=True, soft_wrap=True)) as live:
        return run_session(request, live.event, live.set_total)


def _write_reports(  # noqa: PLR0917 - one argument per report option
    report: SessionReport,
    junit: Path | None,
    junit_cells: bool,
    output_dir: Path | None,
    json_file: Path | None,
    html_file: Path | None,
) -> None:
    from envyard.notebooks import summary

    results = report.results
    if junit is not None:
        from envyard.notebooks import junit as junit_report

        junit_report.write(junit, results, cells=junit_cells)
    if output_dir is not None:
        summary.write_json(output_dir / "summary.json", results, report.duration)
        summary.write_html(output_dir / "summary.html", results, report.duration)
    if json_file is not None:
        summary.write_json(json_file, results, report.duration)
    if html_file is not None:
        summary.write_html(html_file, results, report.duration)


def _finish(
    report: SessionReport, paths: tuple[Path, ...], changed_since: str | None, allow_empty: bool
) -> NoReturn:
    """Print the problems and the headline; exit with the run's code."""
    from envyard.notebooks import summary
    from envyard.notebooks.results import exit_code

    results = report.results
    for line in summary.problem_report(results):
        click.echo(line, err=True)
    took = f"in {report.duration:.1f}s"
    if report.interrupted:
        click.echo(f"interrupted: {summary.headline(results)} {took}", err=True)
        raise click.exceptions.Exit(130)
    if not report.found and not allow_empty:
        where = " ".join(str(p) for p in paths) or "."
        click.echo(f"error: no notebooks found in {where} (--allow-empty to accept)", err=True)
        raise click.exceptions.Exit(5)
    if not results and changed_since:
        click.echo(f"no notebooks changed since {changed_since}", err=True)
    else:
        click.echo(f"{summary.headline(results)} {took}", err=True)
    raise click.exceptions.Exit(exit_code(results))


def _warn_deprecated(ref: str) -> None:
    """``--env``: the same warning as ``env get`` for a deprecated or archived environment
    (an unknown one is reported per notebook by the run)."""
    from envyard.cli.registry_common import warn_state
    from envyard.client import Client
    from envyard.errors import EnvyardError

    try:
        with Client.from_settings() as client:
            record = client.environments.get(ref)
    except EnvyardError:
        return
    warn_state(record)
