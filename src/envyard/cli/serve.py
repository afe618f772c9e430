"""``envyard serve``: the REST API (+ web UI) with uvicorn."""

from __future__ import annotations

import click


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
    if require_read_token:
        os.environ["ENVYARD_REQUIRE_READ_TOKEN"] = "1"  # noqa: S105 - a flag, not a secret
    click.echo(
        f"envyard serving http://{host}:{port}/ (API docs at /docs), "
        f"metastore {display_url(settings.db_url)}",
        err=True,
    )
    uvicorn.run(
        "envyard.service.app:server_app", factory=True, host=host, port=port,
        workers=workers, log_level=log_level,
    )  # fmt: skip
