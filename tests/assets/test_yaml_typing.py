"""One YAML reading everywhere: ``version: !!str 1.10``, ``1.10`` and ``"1.10"`` are the same
version for discovery, validation, listing and release, as for ``envyard validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envyard.assets.discovery.discover import discover
from envyard.cli.main import run

REPO = Path(__file__).resolve().parents[1] / "scenarios" / "assets" / "yaml-typing" / "repo"


def test_discovery_reads_the_version_as_written() -> None:
    found = discover([REPO], REPO)
    assert {a.name: a.version for a in found.assets} == {
        "typed-plain": "1.10",
        "typed-tagged": "1.10",
    }
    assert found.diagnostics == []


def test_list_validate_and_the_generic_validator_agree(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["asset", "list", str(REPO), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["version"] for r in rows} == {"1.10"}
    assert run(["asset", "validate", str(REPO)]) == 0
    for folder in ("plain", "tagged"):
        assert run(["validate", str(REPO / folder / "asset.yaml")]) == 0, capsys.readouterr()
