"""``envyard prereq``: reusable job prerequisites in the registry (by name, versioned).

Jobs reference them by name; ``envyard prereq export NAME`` prints one ready to paste into a
job's ``prerequisites``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from envyard.cli.registry_commands import add_versioned_commands, print_written
from envyard.cli.registry_common import client_options, make_client


@click.group()
def cli() -> None:
    """Manage reusable prerequisites (the job protocol's marketplace).

    REF is NAME (the newest active version) or NAME@VERSION.
    """


def _columns(record: Any) -> list[str]:
    return [
        record.name, record.version, record.state, record.type, record.plugin or "",
        record.updated_at.strftime("%Y-%m-%d %H:%M"),
    ]  # fmt: skip


add_versioned_commands(
    cli,
    kind="prerequisites",
    noun="prerequisite",
    headers=["NAME", "VERSION", "STATE", "TYPE", "PLUGIN", "UPDATED"],
    columns=_columns,
)


def load_prerequisite_file(path: Path) -> Any:
    """The prerequisite in ``path``; problems are reported as file:line:col."""
    from pydantic import ValidationError

    from envyard.errors import SpecError
    from envyard.spec.diagnose import diagnostics_from
    from envyard.spec.job import Prerequisite
    from envyard.spec.loader import read_document

    doc = read_document(path)
    try:
        return Prerequisite.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(diagnostics_from(exc, Prerequisite, doc)) from None


@cli.command()
@click.option("-f", "--file", "file", required=True, type=click.Path(path_type=Path))
@client_options
def create(file: Path, url: str | None, token: str | None) -> None:
    """Create a prerequisite from a YAML file (one prerequisite, as in a job's list)."""
    spec = load_prerequisite_file(file)
    with make_client(url, token) as client:
        record = client.prerequisites.create(spec)
    print_written("created", record)


@cli.command()
@click.argument("name", required=False)
@click.option("-f", "--file", "file", required=True, type=click.Path(path_type=Path))
@click.option("--if-match", help="Only if unchanged since this ETag.")
@client_options
def update(
    name: str | None, file: Path, if_match: str | None, url: str | None, token: str | None
) -> None:
    """Add a new version of NAME from a full prerequisite file."""
    spec = load_prerequisite_file(file)
    with make_client(url, token) as client:
        record = client.prerequisites.update(name or spec.name, spec, if_match=if_match)
    print_written("updated", record)
