"""Every test gets its own ENVYARD_HOME (metastore, runs, kernels) in a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def envyard_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "envyard-home"
    monkeypatch.setenv("ENVYARD_HOME", str(home))
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_TARGET", "ENVYARD_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    return home
