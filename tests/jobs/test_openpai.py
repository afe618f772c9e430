"""Envyard beside OpenPAI's own renderer: ``tests/scenarios/jobs/openpai/<case>/openpai.json``
holds what OpenPAI's rest-server (``protocol.js``, run with node) did with ``job.yaml``: refused
it, or the entrypoint of each task role. Envyard refuses the same files and runs the same
commands (one per line, in order: deployment preCommands, commands, postCommands)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.jobs.load import load_job
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue

ROOT = Path(__file__).parents[1] / "scenarios" / "jobs" / "openpai"
CASES = sorted(p.name for p in ROOT.iterdir() if (p / "openpai.json").exists())
_BODY = re.compile(r"\nenvyard_commands\(\) \{\n(.*?)\n\}\n", re.S)


def commands(script: str) -> list[str]:
    match = _BODY.search(script)
    assert match is not None
    lines = match.group(1).split("\n")
    return [line[4:] for line in lines if not line.startswith("    envyard_rc=$?")]


@pytest.mark.parametrize("case", CASES)
def test_same_verdict_and_commands_as_openpai(case: str) -> None:
    want = json.loads((ROOT / case / "openpai.json").read_text(encoding="utf-8"))
    if not want["accepted"]:
        with pytest.raises(SpecError):
            load_job(ROOT / case / "job.yaml")
        return
    plan = plan_job(load_job(ROOT / case / "job.yaml"), FileCatalogue({}, None))
    for role, entrypoint in want["entrypoints"].items():
        ours = "\n".join(commands(plan.roles[role].script)).split("\n")
        assert [line.strip() for line in ours] == entrypoint.split("\n"), role


def test_every_case_was_rendered_by_openpai() -> None:
    assert len(CASES) == len([p for p in ROOT.iterdir() if p.is_dir()])
    assert {json.loads((ROOT / c / "openpai.json").read_text())["accepted"] for c in CASES} == {
        True,
        False,
    }
