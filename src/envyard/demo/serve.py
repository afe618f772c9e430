"""The demo's last step: serve the API and web UI on the demo's metastore until Ctrl-C."""

from __future__ import annotations

import os
import socket

from envyard.demo.runner import Workspace


def _free_port(preferred: int = 8765) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_ui(ws: Workspace) -> None:
    import importlib

    import uvicorn

    # imported by name: the service is an optional part of a minimal install
    create_app = importlib.import_module("envyard.service.app").create_app

    os.environ["ENVYARD_HOME"] = str(ws.home)
    port = _free_port()
    ws.console.print(
        f"web UI: [bold]http://127.0.0.1:{port}/[/] (environments and runs); Ctrl-C stops it"
    )
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_level="warning")
    ws.console.print("web UI stopped")
