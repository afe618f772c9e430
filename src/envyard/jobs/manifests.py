"""The Kubernetes manifests of a planned job as YAML (``envyard job render --backend
kubernetes``); secrets are masked."""

from __future__ import annotations

import io
from pathlib import Path

from envyard.backends.interface import Submission
from envyard.backends.locks import with_locks
from envyard.backends.manifests import render_manifests
from envyard.jobs.plan import JobPlan

__all__ = ["manifests_yaml", "submission_of"]


def submission_of(
    plan: JobPlan, run_id: str = "dry-run", run_dir: Path | None = None
) -> Submission:
    """The submission of ``plan`` (what a backend receives); pure."""
    return Submission(
        run_id=run_id,
        job_name=plan.name,
        run_dir=run_dir or Path(),
        roles=plan.roles,
        environments=plan.resolved.environments,
        secrets=plan.secret_values,
        task_roles=plan.job.spec.taskRoles,
        job_retries=plan.job.spec.jobRetryCount,
    )


def manifests_yaml(plan: JobPlan, *, namespace: str = "default") -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = io.StringIO()
    submission = with_locks(submission_of(plan))  # each task role's kernel lock travels along
    yaml.dump_all(render_manifests(submission, namespace=namespace), out)
    return out.getvalue()
