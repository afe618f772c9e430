"""Kubernetes manifests of a job (pure): a ConfigMap with the bootstraps, an optional Secret,
and one ``batch/v1`` Job per task role.

Each Job runs its task role's instances as an Indexed Job (``completions`` = ``parallelism``
= instances); the bootstrap from the ConfigMap is the container's entrypoint;
``ENVYARD_TASK_INDEX`` comes from the pod's completion index. Secrets are read from the Secret
with ``secretKeyRef`` (its values are masked unless ``reveal_secrets``).

A task role whose kernel is locked (``submission.locks``) carries its lock: the ConfigMap holds
``<role>.requirements.txt``, the lock's pip packages pinned with their hashes
(:func:`envyard.backends.locks.pip_lines`), which the bootstrap installs instead of the kernel's
own requirements (``ENVYARD_KERNEL_REQUIREMENTS``); the Job and its pods are annotated with
the lock hash (``envyard.dev/lock-hash``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from envyard.backends.interface import MASK, Submission
from envyard.backends.locks import pip_lines
from envyard.errors import SpecError

__all__ = ["dns_name", "render_manifests"]

_INDEX = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
MANAGED = {"app.kubernetes.io/managed-by": "envyard"}
LOCK_HASH = "envyard.dev/lock-hash"
MOUNT = "/envyard/bootstrap"


def dns_name(*parts: str, limit: int = 63) -> str:
    """A DNS-1123 label made of ``parts`` (lowercase, ``-``, at most ``limit`` characters)."""
    text = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")
    return text[:limit].rstrip("-") or "envyard"


def _resources(role: Any) -> dict[str, Any]:
    res = role.resourcePerInstance
    requests = {"cpu": str(res.cpu), "memory": f"{res.memoryMB}Mi"}
    limits: dict[str, str] = {"memory": f"{res.memoryMB}Mi"}
    if res.gpu:
        limits["nvidia.com/gpu"] = str(res.gpu)
    return {"requests": requests, "limits": limits}


def render_manifests(
    submission: Submission,
    *,
    namespace: str = "default",
    reveal_secrets: bool = False,
) -> list[dict[str, Any]]:
    """ConfigMap, Secret (when the job reads secrets) and one Job per task role."""
    roles = submission.task_roles
    base = dns_name(submission.job_name, submission.run_id, limit=50)
    labels = {**MANAGED, "envyard.dev/run-id": submission.run_id}
    meta = {"namespace": namespace, "labels": labels}
    data = {f"{name}.sh": boot.script for name, boot in submission.roles.items()}
    for name, lock in submission.locks.items():
        pins = pip_lines(lock)
        if pins and name in submission.roles:
            data[f"{name}.requirements.txt"] = "".join(f"{p}\n" for p in pins)
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{base}-bootstrap", **meta},
        "data": data,
    }
    out: list[dict[str, Any]] = [config]
    secret_name = f"{base}-secrets"
    if submission.secrets:
        values = {k: (v if reveal_secrets else MASK) for k, v in submission.secrets.items()}
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": secret_name, **meta},
                "type": "Opaque",
                "stringData": values,
            }
        )
    for name, boot in submission.roles.items():
        if not boot.image:
            raise SpecError.at(
                "<job>",
                f"task role '{name}' has no image to run on Kubernetes",
                field=f"taskRoles.{name}",
                hint="set `dockerImage:` or an `environment:` that has an image",
            )
        out.append(
            _job(
                submission,
                name=name,
                boot=boot,
                role=roles[name],
                base=base,
                meta=meta,
                secret_name=secret_name,
            )
        )
    return out


def _env(submission: Submission, name: str, count: int, secret_name: str) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "ENVYARD_JOB_NAME", "value": submission.job_name},
        {"name": "ENVYARD_RUN_ID", "value": submission.run_id},
        {"name": "ENVYARD_TASK_ROLE", "value": name},
        {"name": "ENVYARD_TASK_COUNT", "value": str(count)},
        {"name": "ENVYARD_TASK_INDEX", "valueFrom": {"fieldRef": {"fieldPath": _INDEX}}},
        {"name": "ENVYARD_RUN_DIR", "value": "/envyard/work"},
    ]
    for key, value in submission.roles[name].values.items():  # values given at submission
        env.append({"name": key, "value": value})
    for key in sorted(submission.secrets):
        ref = {"name": secret_name, "key": key}
        env.append({"name": key, "valueFrom": {"secretKeyRef": ref}})
    return env


def _job(
    submission: Submission,
    *,
    name: str,
    boot: Any,
    role: Any,
    base: str,
    meta: dict[str, Any],
    secret_name: str,
) -> dict[str, Any]:
    labels = {**meta["labels"], "envyard.dev/task-role": dns_name(name)}
    env = _env(submission, name, boot.instances, secret_name)
    lock = submission.locks.get(name)
    annotations = {"annotations": {LOCK_HASH: lock.digest()}} if lock is not None else {}
    if lock is not None and pip_lines(lock):
        pins = f"{MOUNT}/{name}.requirements.txt"
        env.append({"name": "ENVYARD_KERNEL_REQUIREMENTS", "value": pins})
    container = {
        "name": dns_name(name),
        "image": boot.image,
        "command": ["bash", f"{MOUNT}/{name}.sh"],
        "workingDir": "/envyard/work",
        "env": env,
        "resources": _resources(role),
        # On deletion, end the bootstrap's foreground command first (PID 1, the bootstrap,
        # would only see TERM after it): the exit callbacks then run within the grace period.
        "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "kill -TERM -1 || true"]}}},
        "volumeMounts": [
            {"name": "bootstrap", "mountPath": MOUNT, "readOnly": True},
            {"name": "work", "mountPath": "/envyard/work"},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": dns_name(base, name),
            "namespace": meta["namespace"],
            "labels": labels,
            **annotations,
        },
        "spec": {
            "completionMode": "Indexed",
            "completions": boot.instances,
            "parallelism": boot.instances,
            "backoffLimit": role.taskRetryCount,
            "template": {
                # copies: one object in two places is dumped as a YAML anchor and an alias
                "metadata": {"labels": dict(labels), **copy.deepcopy(annotations)},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [container],
                    "volumes": [
                        {
                            "name": "bootstrap",
                            "configMap": {"name": f"{base}-bootstrap", "defaultMode": 0o555},
                        },
                        {"name": "work", "emptyDir": {}},
                    ],
                },
            },
        },
    }
