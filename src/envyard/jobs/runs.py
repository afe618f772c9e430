"""Submit a job and follow its runs: the domain functions behind ``envyard job``.

``submit_job``: validate, stage with the target's overrides, resolve, render every task role,
ask the backend whether it can take the job (``preflight``), and only then create the run
record (spec with secrets masked), submit, and store the handle. Bad input raises before
anything is submitted. ``refresh`` brings a run record up to date from its backend
(:mod:`.runlogs`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from envyard.atomicfile import write_atomic
from envyard.backends.interface import FINAL_STATES, Backend, Handle, Submission
from envyard.jobs import runlogs
from envyard.jobs.handles import backend_for
from envyard.jobs.load import load_job
from envyard.jobs.plan import JobPlan, plan_job
from envyard.jobs.resolve import Catalogue, FileCatalogue, RegistryCatalogue
from envyard.jobs.stage import stage_job
from envyard.registry.actor import local_actor
from envyard.registry.records import RunRecord
from envyard.registry.store import Registry
from envyard.settings import load_settings

__all__ = ["SubmitResult", "cancel_run", "refresh", "submit_job"]


@dataclass(frozen=True)
class SubmitResult:
    run: Any  # envyard.registry.records.RunRecord
    handle: Handle
    plan: JobPlan
    notes: tuple[str, ...] = ()
    dry_run: str = ""  # what --dry-run prints (run and handle are None then)


def _registry() -> Registry:
    return Registry.open(load_settings().db_url)  # run records live in this machine's metastore


@dataclass(frozen=True)
class Prepared:
    """A job ready to submit: staged, resolved, rendered, with its backend chosen."""

    plan: JobPlan
    spec: dict[str, Any]  # the staged document (overrides applied)
    target: str | None
    backend_name: str
    backend: Backend
    settings: dict[str, Any]
    notes: tuple[str, ...]


def prepare(
    job_path: Path,
    *,
    target: str | None = None,
    backend: str | None = None,
    targets_file: Path | None = None,
    env_files: Iterable[Path] = (),
    catalogue: Catalogue | None = None,
    settings: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    deployment: str | None = None,
) -> Prepared:
    """Everything before submission (pure apart from reading files and the registry)."""
    target = target or load_settings().target
    original = load_job(job_path)  # the user's file first: its errors point at it
    with tempfile.TemporaryDirectory(prefix="envyard-stage-") as tmp:
        staged = stage_job(job_path, Path(tmp), target=target, targets_file=targets_file)
        job = load_job(staged.path)
        job.document.file = original.document.file  # messages name the user's file
    name = backend or (staged.target.backend if staged.target else None) or "local"
    chosen_settings = dict(staged.target.settings) if staged.target else {}
    chosen_settings.update(settings or {})
    chosen = backend_for(name, chosen_settings)
    plan = plan_job(
        job,
        FileCatalogue.from_paths(env_files, catalogue or RegistryCatalogue()),
        # "none" where the backend installs the kernel itself (Ray: through its runtime_env)
        kernel_mode=getattr(chosen, "kernel_mode", "activate"),
        base_dir=original.base_dir,
        params=params,
        deployment=deployment,
    )
    notes = staged.changes + tuple(_unhonoured(plan, name))
    spec = dict(job.document.data)
    if params:
        spec["parameters"] = {**(spec.get("parameters") or {}), **params}
    return Prepared(plan, spec, target, name, chosen, chosen_settings, notes)


def _unhonoured(plan: JobPlan, backend: str) -> list[str]:
    """What the local backend does not provide: the job's image and GPUs."""
    if backend != "local":
        return []
    out = []
    for role, boot in plan.roles.items():
        spec = plan.job.spec.taskRoles[role]
        if boot.image:
            out.append(
                f"task role {role}: the local backend runs on this machine, not in image "
                f"{boot.image}; use --backend container to run in it"
            )
        gpus = spec.resourcePerInstance.gpu
        if gpus:
            out.append(
                f"task role {role}: asks for {gpus} GPU(s) per instance; the local backend "
                "does not reserve or expose GPUs (use --backend container, ray or kubernetes)"
            )
    return out


def submit_job(
    job_path: Path,
    *,
    target: str | None = None,
    backend: str | None = None,
    targets_file: Path | None = None,
    env_files: Iterable[Path] = (),
    catalogue: Catalogue | None = None,
    created_by: str | None = None,
    dry_run: bool = False,
    settings: Mapping[str, Any] | None = None,
    params: Mapping[str, str] | None = None,
    deployment: str | None = None,
) -> SubmitResult:
    """Load, stage, render, preflight, record; only then start. Nothing starts on bad input,
    and a failure after the start cancels the run and records why (``submit-error.txt``)."""
    ready = prepare(
        job_path,
        target=target,
        backend=backend,
        targets_file=targets_file,
        env_files=env_files,
        catalogue=catalogue,
        settings=settings,
        params=params,
        deployment=deployment,
    )
    plan = ready.plan
    if dry_run:
        text = _dry_run(plan, ready.backend_name)
        return SubmitResult(None, None, plan, ready.notes, text)  # type: ignore[arg-type]
    preflight = getattr(ready.backend, "preflight", None)
    if preflight is not None:
        preflight(plan)
    registry = _registry()
    run = registry.runs.create(
        plan.name, ready.spec, ready.target, ready.backend_name, created_by or local_actor()
    )
    run_dir = load_settings().runs_dir / run.id
    submission = Submission(
        run_id=run.id,
        job_name=plan.name,
        run_dir=run_dir,
        roles=plan.roles,
        environments=plan.resolved.environments,
        secrets=plan.secret_values,
        settings=ready.settings,
        task_roles=plan.job.spec.taskRoles,
        job_retries=plan.job.spec.jobRetryCount,
    )
    try:
        _write_spec(run_dir / "job.yaml", ready.spec)  # recorded before anything starts
    except BaseException as exc:  # Ctrl-C too: the record must not stay pending
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else str(exc)
        _failed(
            registry, run.id, run_dir, f"not started: the run record could not be written: {why}"
        )
        raise
    handle: Handle | None = None
    try:
        handle = ready.backend.submit(submission)
        run = registry.runs.update(
            run.id,
            state="running",
            started_at=dt.datetime.now(dt.UTC),
            handle=handle.to_dict(),
            run_dir=str(run_dir),
        )
    except BaseException as exc:  # also Ctrl-C: a started job must not run unrecorded
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.cancel()
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{exc}"
        _failed(registry, run.id, run_dir, f"submission failed after the start: {reason}")
        raise
    return SubmitResult(run, handle, plan, ready.notes)


def _failed(registry: Registry, run_id: str, run_dir: Path, reason: str) -> None:
    """Record a run that could not be started (or was cancelled right after), and why."""
    with contextlib.suppress(Exception):
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "submit-error.txt").write_text(reason + "\n", encoding="utf-8")
    with contextlib.suppress(Exception):
        registry.runs.update(
            run_id, state="failed", finished_at=dt.datetime.now(dt.UTC), run_dir=str(run_dir)
        )


def _write_spec(path: Path, spec: dict[str, Any]) -> None:
    """The job as submitted (overrides applied), secrets masked, next to its logs; written
    atomically with the project's one YAML module (floats as written)."""
    from envyard.registry.runs import mask_secrets
    from envyard.yamlio import dump

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, dump(mask_secrets(spec)))


def refresh(run_id: str) -> RunRecord:
    """The run record, updated from its backend while it is not finished."""
    registry = _registry()
    return runlogs.refresh(registry, registry.runs.get(run_id))


def cancel_run(run_id: str, *, grace: float = 30) -> RunRecord:
    """Stop a run (its exit callbacks still run) and record it as cancelled; a run that has
    already finished is returned as it is."""
    run = refresh(run_id)
    if run.state in FINAL_STATES:
        return run
    return runlogs.cancel(_registry(), run_id, grace=grace)


def _dry_run(plan: JobPlan, backend: str) -> str:
    """Every task role's bootstrap (or the Kubernetes manifests), as submit would run them."""
    if backend == "kubernetes":
        from envyard.jobs.manifests import manifests_yaml

        return manifests_yaml(plan)
    parts = []
    for role, boot in plan.roles.items():
        where = f"image {boot.image}" if boot.image else "no image"
        parts.append(
            f"# ===== backend {backend}: task role {role}, {boot.instances} instance(s), {where}\n"
            + boot.script
        )
    return "\n".join(parts)
