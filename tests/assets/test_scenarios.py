"""Scenario folders: ``tests/scenarios/assets/<case>/repo`` is validated; the output must equal
``expected.txt`` (one ``[RULE] file:line:col field: message`` per line, paths relative to the
repo). Regenerate after an intended change with ``ENVYARD_UPDATE_SCENARIOS=1``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envyard.assets.config import load_asset_settings
from envyard.assets.rules.validate import validate_assets

CASES = Path(__file__).resolve().parents[1] / "scenarios" / "assets"


def _cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "repo").is_dir())


@pytest.mark.parametrize("case", _cases())
def test_validate_scenario(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = CASES / case / "repo"
    monkeypatch.chdir(repo)
    report = validate_assets([repo], load_asset_settings(repo), repo)
    got = "".join(f"[{d.rule}] {d.render()}\n" for d in report.diagnostics)
    expected = CASES / case / "expected.txt"
    if os.environ.get("ENVYARD_UPDATE_SCENARIOS"):
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
