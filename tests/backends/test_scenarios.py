"""Scenario folders: a version's real lock, rendered for Kubernetes and Ray (snapshots)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.backends.test_kubernetes import validate

from envyard import yamlio
from envyard.backends.interface import Submission
from envyard.backends.manifests import render_manifests
from envyard.backends.ray import _packages
from envyard.jobs.load import load_job
from envyard.jobs.manifests import submission_of
from envyard.jobs.plan import plan_job
from envyard.jobs.resolve import FileCatalogue
from envyard.locking.model import Lock
from envyard.spec.environment import Environment
from envyard.spec.loader import load_model

ROOT = Path(__file__).parents[1] / "scenarios" / "backends"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def _submission(case: Path) -> Submission:
    environment = load_model(case / "environment.yaml", Environment, "environment")
    ref = f"{environment.name}@{environment.version}"
    catalogue = FileCatalogue({ref: environment, environment.name: environment}, None)
    plan = plan_job(load_job(case / "job.yaml"), catalogue)
    lock = Lock.model_validate_json((case / "lock.json").read_text(encoding="utf-8"))
    submission = submission_of(plan, run_id="scenario")
    locks = {role: lock for role, env in submission.environments.items() if env == environment}
    return dataclasses.replace(submission, locks=locks)


def _rendered(case: Path) -> tuple[str, str]:
    submission = _submission(case)
    rendered = render_manifests(submission, namespace="ml")
    data = rendered[0]["data"]  # the bootstraps are the jobs' snapshots, not these
    data.update({k: f"<the bootstrap of {k[:-3]}>" for k in data if k.endswith(".sh")})
    manifests = yamlio.dump_all(rendered)
    runtime: dict[str, Any] = {
        role: _packages(boot, submission.locks.get(role)) for role, boot in submission.roles.items()
    }
    return manifests, json.dumps(runtime, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", CASES)
def test_scenario(name: str, tmp_path: Path) -> None:
    case = ROOT / name
    manifests, runtime = _rendered(case)
    assert manifests == (case / "expected-manifests.yaml").read_text(encoding="utf-8")
    assert runtime == (case / "expected-runtime-env.json").read_text(encoding="utf-8")
    checked = validate(tmp_path, render_manifests(_submission(case), namespace="ml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr  # the official schema


if __name__ == "__main__":  # python tests/backends/test_scenarios.py --write CASE...
    for name in sys.argv[2:] if sys.argv[1:2] == ["--write"] else []:
        manifests, runtime = _rendered(ROOT / name)
        (ROOT / name / "expected-manifests.yaml").write_text(manifests, encoding="utf-8")
        (ROOT / name / "expected-runtime-env.json").write_text(runtime, encoding="utf-8")
