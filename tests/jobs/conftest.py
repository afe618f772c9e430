"""Every test gets its own ENVYARD_HOME (metastore, runs, kernels) and HOME in a tmp dir:
jobs run for real, and a job's `~` must never be the machine's home."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def envyard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "envyard-home"
    monkeypatch.setenv("ENVYARD_HOME", str(home))
    user_home = tmp_path / "home"
    user_home.mkdir()
    monkeypatch.setenv("HOME", str(user_home))
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_TARGET", "ENVYARD_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    return home
