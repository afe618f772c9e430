"""The commands ``envyard env`` and ``envyard prereq`` share, built for one kind.

``add_versioned_commands(group, kind=..., load=..., columns=...)`` adds list, get, versions,
deprecate, archive, delete and export; ``create``/``update`` are per kind (their options
differ) and use :func:`load_file` / :func:`print_written`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from envyard.atomicfile import write_atomic
from envyard.cli.registry_common import (
    FORMATS,
    client_options,
    confirm_delete,
    make_client,
    show_record,
    shown,
    table,
    to_yaml,
    warn_state,
)
from envyard.registry import MAX_OFFSET

Columns = Callable[[Any], list[str]]


def namespace(client: Any, kind: str) -> Any:
    return getattr(client, kind)


def print_written(verb: str, record: Any) -> None:
    lock = getattr(record, "lock_hash", None)
    locked = f" lock={lock[:19]}" if lock else ""
    click.echo(f"{verb} {record.ref} ({record.content_hash[:19]}) state={record.state}{locked}")


def print_deprecated(ref: str, active: list[Any], record: Any) -> None:
    """One version, or how many of NAME's versions (not just the newest one's ref)."""
    if "@" in ref:
        print_written("deprecated", record)
        return
    numbers = ", ".join(r.version for r in sorted(active, key=lambda r: r.created_at))
    click.echo(
        f"deprecated {len(active)} version(s) of {record.name}"
        + (f" ({numbers})" if numbers else "")
        + f"; {record.ref} state={record.state}"
    )


def export_data(record: Any, *, with_version: bool = False) -> dict[str, Any]:
    """The spec of ``record`` as a user writes it; ``version`` only when asked for (a file
    naming an existing version is refused by ``update -f``: versions are immutable)."""
    spec = record.spec()
    data: dict[str, Any] = spec.model_dump(
        mode="json", exclude_none=True, exclude={"schema_", "version"}
    )
    data = {k: v for k, v in data.items() if v not in ("", {}, [])}
    return data | {"version": record.version} if with_version else data


def add_versioned_commands(
    group: click.Group, *, kind: str, noun: str, headers: list[str], columns: Columns
) -> None:
    """Add the kind-independent commands to ``group``."""

    @group.command("list")
    @click.option("--tag", "tags", multiple=True, help="KEY or KEY=VALUE; repeat: all must match.")
    @click.option("--prefix", help="Only names starting with this.")
    @click.option("--state", type=click.Choice(["active", "deprecated", "archived"]))
    @click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
    @click.option("--offset", type=click.IntRange(0, MAX_OFFSET), default=0, show_default=True)
    @click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
    @client_options
    def list_(
        *,
        tags: tuple[str, ...], prefix: str | None, state: str | None, limit: int, offset: int,
        fmt: str, url: str | None, token: str | None,
    ) -> None:  # fmt: skip
        """List one row per name (its current version); archived ones only with --state."""
        with make_client(url, token) as client:
            page = namespace(client, kind).list(
                tag=list(tags), prefix=prefix, state=state, limit=limit, offset=offset
            )
        if fmt != "table":
            data = page.model_dump(mode="json")
            text = json.dumps(data, indent=2) if fmt == "json" else to_yaml(data).rstrip()
            click.echo(shown(kind, text))
            return
        if not page.items:
            click.echo(f"no {kind} match", err=True)
            return
        click.echo(table([columns(r) for r in page.items], headers))
        shown_to = offset + len(page.items)
        if page.total > shown_to or offset:
            click.echo(f"{offset + 1}-{shown_to} of {page.total} (use --offset)", err=True)

    @group.command("get")
    @click.argument("ref")
    @click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml")
    @client_options
    def get(ref: str, fmt: str, url: str | None, token: str | None) -> None:
        """Show REF (NAME for the current version, or NAME@VERSION) with its lifecycle."""
        with make_client(url, token) as client:
            record = namespace(client, kind).get(ref)
        warn_state(record)
        show_record(record, fmt, kind)

    @group.command("resolve")
    @click.argument("ref")
    @client_options
    def resolve(ref: str, url: str | None, token: str | None) -> None:
        """Print the exact NAME@VERSION that REF stands for now (for pinning in scripts)."""
        with make_client(url, token) as client:
            record = namespace(client, kind).resolve(ref)
        warn_state(record)
        click.echo(record.ref)

    @group.command("versions")
    @click.argument("name")
    @click.option("--all", "include_archived", is_flag=True, help="Include archived versions.")
    @click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
    @client_options
    def versions(
        name: str, include_archived: bool, fmt: str, url: str | None, token: str | None
    ) -> None:
        """List the versions of NAME, newest first."""
        with make_client(url, token) as client:
            records = namespace(client, kind).versions(name, include_archived=include_archived)
        if fmt != "table":
            data = [r.model_dump(mode="json") for r in records]
            text = json.dumps(data, indent=2) if fmt == "json" else to_yaml(data).rstrip()
            click.echo(shown(kind, text))
            return
        rows = [
            [r.version, r.state, r.content_hash[7:19], r.created_at.strftime("%Y-%m-%d %H:%M"),
             r.created_by or "", r.replaced_by or ""]
            for r in records
        ]  # fmt: skip
        click.echo(table(rows, ["VERSION", "STATE", "HASH", "CREATED", "BY", "REPLACED BY"]))

    _add_lifecycle_commands(group, kind=kind, noun=noun)


def _package_changes(client: Any, kind: str, before: Any, after: Any) -> str:
    """The package changes between two environment versions' locks ("" when the same)."""
    if kind != "environments" or before.lock_hash == after.lock_hash:
        return ""
    return str(client.environments.diff(after.ref, before.ref).text())


def _add_lifecycle_commands(group: click.Group, *, kind: str, noun: str) -> None:
    @group.command("deprecate")
    @click.argument("ref")
    @click.option("--replaced-by", help=f"The {noun} (NAME or NAME@VERSION) to use instead.")
    @click.option("--delete-on", help="Date (YYYY-MM-DD) after which it may be deleted.")
    @click.option("--if-match", help="Only if unchanged since this ETag (see `get --format json`).")
    @client_options
    def deprecate(
        *,
        ref: str, replaced_by: str | None, delete_on: str | None, if_match: str | None,
        url: str | None, token: str | None,
    ) -> None:  # fmt: skip
        """Deprecate NAME@VERSION, or every active version of NAME."""
        with make_client(url, token) as client:
            api = namespace(client, kind)
            active = [] if "@" in ref else [r for r in api.versions(ref) if r.state == "active"]
            record = api.deprecate(
                ref, replaced_by=replaced_by, delete_on=delete_on, if_match=if_match
            )
        print_deprecated(ref, active, record)

    @group.command("archive")
    @click.argument("ref")
    @click.option("--if-match", help="Only if unchanged since this ETag.")
    @client_options
    def archive(ref: str, if_match: str | None, url: str | None, token: str | None) -> None:
        """Archive REF: hidden from lists, still resolvable as NAME@VERSION."""
        with make_client(url, token) as client:
            record = namespace(client, kind).archive(ref, if_match=if_match)
        print_written("archived", record)

    @group.command("delete")
    @click.argument("ref")
    @click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
    @click.option("--if-match", help="Only if unchanged since this ETag.")
    @client_options
    def delete(
        ref: str, yes: bool, if_match: str | None, url: str | None, token: str | None
    ) -> None:
        """Delete NAME@VERSION, or every version of NAME, for good."""
        with make_client(url, token) as client:
            api = namespace(client, kind)
            if "@" in ref:
                api.get(ref)  # fails clearly when it does not exist, before asking
            else:
                api.versions(ref, include_archived=True)
            what = ref if "@" in ref else f"every version of {noun} '{ref}'"
            confirm_delete(what, yes)
            api.delete(ref, if_match=if_match)
        click.echo(f"deleted {ref}")

    @group.command("diff")
    @click.argument("old")
    @click.argument("new", required=False)
    @client_options
    def diff(old: str, new: str | None, url: str | None, token: str | None) -> None:
        """Show what changed between two versions (NEW defaults to the current one).

        For environments, the spec diff is followed by the package changes of their locks
        (added, removed, upgraded, downgraded). Exits 1 when they differ, 0 when they are the
        same (like `diff`).
        """
        import difflib

        with make_client(url, token) as client:
            api = namespace(client, kind)
            before = api.get(old)
            after = api.get(new or before.name)
            packages = _package_changes(client, kind, before, after)
        text = "".join(
            difflib.unified_diff(
                to_yaml(export_data(before)).splitlines(keepends=True),
                to_yaml(export_data(after)).splitlines(keepends=True),
                fromfile=before.ref,
                tofile=after.ref,
            )
        )
        if text:
            click.echo(shown(kind, text.rstrip()))
        if packages:
            click.echo(shown(kind, packages), nl=False)
        raise click.exceptions.Exit(1 if text or packages else 0)

    @group.command("export")
    @click.argument("ref")
    @click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, allow_dash=True),
        help="Write to this file ('-': standard output).",
    )
    @click.option(
        "--keep-version", is_flag=True, help="Write `version:` too (for `create -f` elsewhere)."
    )
    @client_options
    def export(
        ref: str, output: Path | None, keep_version: bool, url: str | None, token: str | None
    ) -> None:
        """Write REF as a YAML spec (accepted by `create -f` and `update -f`).

        The version is named in the header comment; `update -f` of the file adds the next one.
        """
        with make_client(url, token) as client:
            record = namespace(client, kind).get(ref)
        warn_state(record)
        data = export_data(record, with_version=keep_version)
        text = shown(kind, f"# {noun} {record.ref} ({record.content_hash})\n" + to_yaml(data))
        if output is None or str(output) == "-":
            click.echo(text.rstrip())
        else:
            write_atomic(output, text)
            click.echo(f"wrote {record.ref} to {output}", err=True)
