"""Render every job scenario, compare with its snapshot, run it with bash, check its effects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from envyard import yamlio
from envyard.jobs.load import load_job
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue
from envyard.prerequisites.bootstrap import Bootstrap

ROOT = Path(__file__).parents[1] / "scenarios" / "jobs"
CASES = sorted(p.name for p in ROOT.iterdir() if (p / "job.yaml").exists())


def bootstrap(case: Path) -> Bootstrap:
    """The case's only task role; ``params.yaml`` holds parameters given at submission."""
    job = load_job(case / "job.yaml")
    (role,) = job.spec.taskRoles
    extra = case / "params.yaml"
    params = yamlio.load(extra.read_text(), str(extra)) if extra.exists() else None
    return plan_job(job, FileCatalogue({}, None), roles=[role], params=params).roles[role]


def render(case: Path) -> str:
    return bootstrap(case).script


def run(script: str, case: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    (workdir / "bootstrap.sh").write_text(script, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), "LC_ALL": "C"}
    env.update(bootstrap(case).values)
    extra = case / "env.txt"
    if extra.exists():
        env.update(line.split("=", 1) for line in extra.read_text().splitlines() if line)
    return subprocess.run(
        ["bash", "bootstrap.sh"], cwd=workdir, env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_scenario(name: str, tmp_path: Path) -> None:
    case = ROOT / name
    script = render(case)
    assert script == (case / "expected.sh").read_text(encoding="utf-8")
    result = run(script, case, tmp_path)
    assert result.stdout == (case / "expected.out").read_text(encoding="utf-8"), result.stderr
    assert result.returncode == int((case / "exit_code").read_text()), result.stderr
    assert not (tmp_path / "pwned").exists()
    assert "s3cr3t-value" not in script


def test_cli_render_prints_the_snapshot(capsys: pytest.CaptureFixture[str]) -> None:
    from envyard.cli.main import run as cli

    case = ROOT / "require-order"
    assert cli(["job", "render", str(case / "job.yaml")]) == 0
    assert capsys.readouterr().out == (case / "expected.sh").read_text(encoding="utf-8")


def test_every_case_is_complete() -> None:
    for name in CASES:
        for needed in ("expected.sh", "expected.out", "exit_code"):
            assert (ROOT / name / needed).exists(), f"{name}/{needed} missing"


if __name__ == "__main__":  # python tests/jobs/test_scenarios.py --write CASE...
    import tempfile

    for name in sys.argv[2:] if sys.argv[1:2] == ["--write"] else []:
        case = ROOT / name
        text = render(case)
        (case / "expected.sh").write_text(text, encoding="utf-8")
        with tempfile.TemporaryDirectory() as tmp:
            done = run(text, case, Path(tmp))
            assert not (Path(tmp) / "pwned").exists(), "a parameter was executed"
        (case / "expected.out").write_text(done.stdout, encoding="utf-8")
        (case / "exit_code").write_text(f"{done.returncode}\n", encoding="utf-8")
        print(f"{name}: exit {done.returncode}\n{done.stdout}--- stderr\n{done.stderr}")
