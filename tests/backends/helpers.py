"""Plan a job file and turn it into a backend Submission."""

from __future__ import annotations

import secrets
import textwrap
from pathlib import Path

from envyard.backends.interface import Submission
from envyard.jobs.load import load_job
from envyard.jobs.manifests import submission_of
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue
from envyard.prerequisites.kernel import KernelMode
from envyard.spec.environment import Environment


def submission(
    tmp_path: Path,
    text: str,
    *,
    envs: list[Environment] | None = None,
    kernel_mode: KernelMode = "activate",
) -> Submission:
    path = tmp_path / "job.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    catalogue = FileCatalogue({e.name: e for e in envs or []}, None)
    plan = plan_job(load_job(path), catalogue, kernel_mode=kernel_mode)
    run_id = secrets.token_hex(5)
    return submission_of(plan, run_id, tmp_path / "runs" / run_id)
