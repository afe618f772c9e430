"""Broken spec files of every kind, each with its exact expected diagnostics (exit 1; exit 0
when all of them are warnings)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from envyard.cli.main import run

ROOT = Path(__file__).parents[1] / "scenarios" / "spec"
CASES = sorted(p for p in ROOT.iterdir() if p.is_dir())


def _input(case: Path) -> str:
    names = [p.name for p in case.iterdir() if p.name != "expected.txt"]
    assert len(names) == 1, f"{case.name} must hold exactly one input file, has {names}"
    return names[0]


def _validate(case: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["validate", "--quiet", _input(case)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scenario(
    case: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(case)
    code, output = _validate(case, capsys)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert output == expected
    only_warnings = all(": warning: " in line for line in expected.splitlines())
    assert code == (0 if only_warnings else 1)
    assert "Traceback" not in output


if __name__ == "__main__":  # python tests/spec/test_scenarios.py --write CASE...
    import contextlib
    import io
    import os

    for name in sys.argv[2:]:
        case = ROOT / name
        os.chdir(case)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            run(["validate", "--quiet", _input(case)])
        (case / "expected.txt").write_text(buffer.getvalue(), encoding="utf-8")
        print(f"--- {name}\n{buffer.getvalue()}", end="")
