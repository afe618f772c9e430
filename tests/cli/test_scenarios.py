"""The newcomer's mistakes at the command line, as scenario folders (tests/scenarios/cli)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from envyard.cli.main import run

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios" / "cli"
CASES = sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir())


def run_case(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, Path]:
    source = SCENARIOS / case
    folder = tmp_path / case
    shutil.copytree(source, folder)
    home = tmp_path / "home"
    if (source / ".home-is-a-file").exists():
        home.write_text("not a folder\n")
    for name in ("ENVYARD_DB_URL", "ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_TARGET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ENVYARD_HOME", str(home))
    monkeypatch.chdir(folder)
    argv = (source / "argv").read_text(encoding="utf-8").splitlines()
    capsys.readouterr()
    code = run(argv)
    out, err = capsys.readouterr()
    text = (out + err).replace(str(home), "{home}").replace(str(folder), "{folder}")
    return code, text, home


@pytest.mark.parametrize("case", CASES)
def test_scenario(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, home = run_case(case, tmp_path, monkeypatch, capsys)
    expected_file = SCENARIOS / case / "expected.txt"
    if os.environ.get("ENVYARD_WRITE_SCENARIOS") == "1":  # to add a case: write, then read it
        expected_file.write_text(text, encoding="utf-8")
    assert (code, text) == (
        int((SCENARIOS / case / "exit").read_text()),
        expected_file.read_text(encoding="utf-8"),
    )
    assert not (home.is_dir() and (home / "logs").exists())  # a mistake writes no crash log
