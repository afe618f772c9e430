"""A real Envyard server (uvicorn, temp SQLite metastore) and headless Chromium for UI tests."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from envyard.registry.store import Registry
from envyard.testing.browser import CHROMIUM
from envyard.testing.browser import screenshot as save_screenshot
from envyard.testing.lock_index import locking_env
from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import start_process, wait_for_http
from envyard.testing.pypi import PypiIndex

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@dataclass(frozen=True)
class UiServer:
    url: str
    registry: Registry  # the same metastore, opened in-process (tokens, runs, checks)
    home: Path  # the server's ENVYARD_HOME (run directories of jobs submitted for it)
    db_url: str

    def token(self, scope: str = "write") -> str:
        _record, token = self.registry.tokens.create(f"ui-{scope}", scope)
        return token


@pytest.fixture(scope="session")
def ui_server(
    tmp_path_factory: pytest.TempPathFactory, pypi_index: PypiIndex
) -> Iterator[UiServer]:
    home = tmp_path_factory.mktemp("ui-home")
    db_url = f"sqlite:///{home / 'envyard.db'}"
    port = free_port()
    installers = locking_env(pypi_index)  # kernels lock against the session's pypiserver
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env.update(installers, ENVYARD_HOME=str(home), ENVYARD_DB_URL=db_url)
    env.pop("ENVYARD_URL", None)
    argv = [
        sys.executable, "-m", "uvicorn", "--factory", "envyard.service.app:create_app",
        "--host", LOCALHOST, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    server = start_process("envyard-serve", argv, home / "server.log", env=env)
    url = f"http://{LOCALHOST}:{port}"
    try:
        wait_for_http(server, f"{url}/healthz", timeout=60)
        yield UiServer(url, Registry.open(db_url), home, db_url)
    finally:
        server.stop()


def screenshot(page: Any, name: str) -> Path:
    return save_screenshot(page, ARTIFACTS / f"{name}.png")


def have_chromium() -> bool:
    return shutil.which(CHROMIUM) is not None
