"""Shared parts of ``envyard env`` and ``envyard prereq``: client options, output, and the
commands both kinds have (create, list, get, versions, update, deprecate, archive, delete,
export). Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from envyard.client import Client

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = click.Choice(["table", "yaml", "json"])


def client_options(func: F) -> F:
    """``--url`` (ENVYARD_URL) and ``--token`` (ENVYARD_TOKEN)."""
    func = click.option(
        "--token", envvar="ENVYARD_TOKEN", help="API token for writes (env: ENVYARD_TOKEN)."
    )(func)
    return click.option(
        "--url",
        envvar="ENVYARD_URL",
        help="Envyard server (env: ENVYARD_URL); default: the local metastore (ENVYARD_DB_URL).",
    )(func)


def make_client(url: str | None, token: str | None) -> Client:
    from envyard.client import Client

    return Client(url or None, token or None)


def to_yaml(data: Any) -> str:
    from envyard.yamlio import dump

    return dump(data)


def record_data(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = record.model_dump(mode="json", exclude={"etag"})
    return data


def shown(kind: str, text: str) -> str:
    """*text* as readers are shown it: an environment's URL credentials masked (``user:***@``;
    what is stored keeps them, and ``update -f`` of an exported file restores them)."""
    if kind != "environments":
        return text
    from envyard.registry.masking import mask_text

    return mask_text(text)


def show_record(record: Any, fmt: str, kind: str) -> None:
    if fmt == "json":
        click.echo(shown(kind, json.dumps(record.model_dump(mode="json"), indent=2)))
        return
    data = record_data(record)
    click.echo(shown(kind, to_yaml({"ref": data.pop("ref"), **data}).rstrip()))


def warn_state(record: Any) -> None:
    if record.state == "deprecated":
        extra = []
        if record.replaced_by:
            extra.append(f"replaced by {record.replaced_by}")
        if record.delete_on:
            extra.append(f"to be deleted on {record.delete_on}")
        detail = f" ({'; '.join(extra)})" if extra else ""
        click.echo(f"warning: {record.ref} is deprecated{detail}", err=True)
    elif record.state == "archived":
        click.echo(f"warning: {record.ref} is archived", err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)


def format_tags(tags: dict[str, str]) -> str:
    return ",".join(k if not v else f"{k}={v}" for k, v in tags.items())


def parse_tags(values: tuple[str, ...]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for value in values:
        key, _, val = value.partition("=")
        if not key.strip():
            raise click.BadParameter(f"'{value}' is not KEY or KEY=VALUE", param_hint="--tag")
        tags[key.strip()] = val.strip()
    return tags


def confirm_delete(what: str, yes: bool) -> None:
    """Ask before deleting; with stdin not a terminal, an answer piped in (``yes |``) counts and
    no answer at all (EOF) is an error pointing at ``--yes`` (click would say "aborted", 130)."""
    if yes:
        return
    import sys

    question = f"Delete {what}? This cannot be undone"
    if sys.stdin is None or not sys.stdin.isatty():
        click.echo(f"{question} [y/N]: ", nl=False, err=True)
        answer = sys.stdin.readline() if sys.stdin is not None else ""
        click.echo(err=True)
        if not answer:
            from envyard.errors import EnvyardError

            raise EnvyardError(
                f"not deleting {what}: nobody answered (stdin is not a terminal)",
                hint="pass --yes to delete without asking",
            )
        if answer.strip().lower() not in ("y", "yes"):
            raise click.Abort
        return
    click.confirm(question, abort=True)
