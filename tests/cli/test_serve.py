"""`envyard serve` runs the API (and UI) with uvicorn on the metastore."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import httpx

from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import start_process, wait_for_http


def test_serve_answers_and_writes_to_the_metastore(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "ENVYARD_HOME": str(tmp_path),
        "ENVYARD_DB_URL": f"sqlite:///{tmp_path / 'e.db'}",
    }
    env.pop("ENVYARD_URL", None)
    argv = [sys.executable, "-m", "envyard", "serve", "--host", LOCALHOST, "--port", str(port)]
    server = start_process("envyard-serve", argv, tmp_path / "serve.log", env=env)
    try:
        wait_for_http(server, f"http://{LOCALHOST}:{port}/healthz", timeout=60)
        with httpx.Client(base_url=f"http://{LOCALHOST}:{port}", trust_env=False) as http:
            assert http.get("/docs").status_code == 200
            assert http.get("/api/v1/environments").json()["total"] == 0
            assert http.get("/").status_code == 200
    finally:
        server.stop()
    assert (tmp_path / "e.db").exists()
    assert "envyard serving" in (tmp_path / "serve.log").read_text()


def test_serve_fails_clearly_on_a_bad_metastore(tmp_path: Path) -> None:
    import subprocess

    env = {**os.environ, "ENVYARD_HOME": str(tmp_path), "ENVYARD_DB_URL": "mysql://x@y/z"}
    out = subprocess.run(
        [sys.executable, "-m", "envyard", "serve", "--port", "1"], env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 1
    assert "unsupported metastore 'mysql'" in out.stderr


def test_serve_on_a_taken_port_is_a_user_error(tmp_path: Path) -> None:
    import socket
    import subprocess

    env = {**os.environ, "ENVYARD_HOME": str(tmp_path), "ENVYARD_DB_URL": ""}
    env.pop("ENVYARD_DB_URL")
    with socket.socket() as taken:
        taken.bind((LOCALHOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "envyard", "serve", "--host", LOCALHOST, "--port", str(port)],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert out.returncode == 1, out.stderr
    assert f"error: cannot listen on {LOCALHOST}:{port}: address already in use" in out.stderr
    assert "--port" in out.stderr
    assert "internal error" not in out.stderr
