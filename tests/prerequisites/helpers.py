"""Write a job file, render a task role, run the bootstrap with bash."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

from envyard.jobs.load import load_job
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue
from envyard.prerequisites.bootstrap import Bootstrap
from envyard.spec.environment import Environment


def write_job(tmp_path: Path, text: str, name: str = "job.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def render(path: Path, role: str | None = None, env: Environment | None = None) -> Bootstrap:
    job = load_job(path)
    role = role or next(iter(job.spec.taskRoles))
    files = {env.name: env} if env else {}
    return plan_job(job, FileCatalogue(files, None), roles=[role]).roles[role]


def run_script(
    script: str, workdir: Path, extra_env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "bootstrap.sh").write_text(script, encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(workdir), **(extra_env or {})}
    return subprocess.run(
        ["bash", "bootstrap.sh"], cwd=workdir, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
