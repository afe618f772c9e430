"""The reference tool's own validation fixtures give the verdict (see the scenario's README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.rules.validate import validate_assets

CASES = Path(__file__).resolve().parents[1] / "scenarios" / "assets" / "reference-fixtures"
IMAGE_RULES = ("AST008", "AST009")
NAME_RULES = ("AST006", "AST017", "AST018")


def _verdicts() -> list[tuple[str, bool, bool, bool]]:
    rows = []
    for line in (CASES / "verdicts.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            case, images, names, valid = line.split()
            rows.append((case, images == "yes", names == "yes", valid == "yes"))
    return rows


@pytest.mark.parametrize(("case", "images", "names", "valid"), _verdicts())
def test_same_verdict_as_the_reference(case: str, images: bool, names: bool, valid: bool) -> None:
    off = [r for r in IMAGE_RULES if not images] + [r for r in NAME_RULES if not names]
    # the reference checks publishing against its own registry: mcr, public
    settings = AssetSettings(rules=dict.fromkeys(off, "off"), publish_locations=["mcr"])
    report = validate_assets([CASES / case], settings, CASES / case, jobs=1)
    shown = [d.render() for d in report.errors]
    assert (not report.errors) == valid, shown
