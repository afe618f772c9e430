"""``envyard serve``: the REST API (+ web UI) with uvicorn.

An address it cannot listen on (taken, not this machine's, a privileged port) is a user error:
one ``error:`` line naming it and a hint, exit 1 (uvicorn alone logs and exits 3).
"""

from __future__ import annotations

import click

from envyard.errors import EnvyardError


def _cannot_listen(host: str, port: int, reason: str) -> EnvyardError:
    return EnvyardError(
        f"cannot listen on {host}:{port}: {reason}",
        hint="pick another port with --port (or --host), or stop what is using it",
    )


def check_listen(host: str, port: int) -> None:
    """Bind (host, port) once as uvicorn will (SO_REUSEADDR), so a taken or foreign address
    fails here with a clear message."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise _cannot_listen(host, port, str(exc.strerror or exc)) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            raise _cannot_listen(host, port, str(exc.strerror or exc).lower()) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="Server processes (use ~1 per core; SQLite serialises writes across them).",
)  # fmt: skip
@click.option("--require-read-token", is_flag=True, help="Reads need a token too.")
@click.option("--log-level", default="info", show_default=True)
def serve(host: str, port: int, workers: int, require_read_token: bool, log_level: str) -> None:
    """Run the REST API and web UI (docs at /docs) on the metastore (ENVYARD_DB_URL)."""
    import os

    import uvicorn

    from envyard.registry.db import display_url
    from envyard.registry.store import Registry
    from envyard.settings import load_settings

    settings = load_settings()
    Registry.open(settings.db_url)  # migrate now, and fail here with a clear message
    check_listen(host, port)
    if require_read_token:
        os.environ["ENVYARD_REQUIRE_READ_TOKEN"] = "1"  # noqa: S105 - a flag, not a secret
    click.echo(
        f"envyard serving http://{host}:{port}/ (API docs at /docs), "
        f"metastore {display_url(settings.db_url)}",
        err=True,
    )
    try:
        uvicorn.run(
            "envyard.service.app:server_app", factory=True, host=host, port=port,
            workers=workers, log_level=log_level,
        )  # fmt: skip
    except SystemExit as exc:  # uvicorn's STARTUP_FAILURE (3): e.g. taken since the check
        if exc.code != 3:
            raise
        raise EnvyardError(
            f"the server did not start on {host}:{port} (uvicorn's log line above says why)",
            hint="pick another port with --port (or --host) if the address is in use",
        ) from None
