"""The Kubernetes manifests of a planned job as YAML (``envyard job render --backend
kubernetes``); secrets are masked."""

from __future__ import annotations

from pathlib import Path

from envyard.backends.interface import Submission
from envyard.backends.locks import with_locks
from envyard.backends.manifests import render_manifests
from envyard.jobs.plan import JobPlan
from envyard.yamlio import dump_all

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
    """The manifests as one multi-document YAML text (``kubectl apply -f -`` reads it)."""
    submission = with_locks(submission_of(plan))  # each task role's kernel lock travels along
    return dump_all(render_manifests(submission, namespace=namespace))
