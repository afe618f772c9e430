"""``kubernetes``: one Indexed ``batch/v1`` Job per task role, the bootstrap as entrypoint.

The manifests are pure (:mod:`envyard.backends.manifests`; ``envyard job render --backend
kubernetes`` prints them). ``submit`` applies them with the official client (optional extra
``envyard[k8s]``) and needs a kubeconfig (``KUBECONFIG`` or ``~/.kube/config``; target
setting ``kubeconfig``) or an in-cluster service account; without one it refuses before
anything is created. Target settings: ``namespace`` (default ``default``), ``context``.
Each task role's kernel lock travels in the manifests (:mod:`envyard.backends.manifests`).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envyard.backends.interface import RunStatus, Submission, poll_until_done
from envyard.backends.locks import with_locks
from envyard.backends.manifests import render_manifests
from envyard.errors import ConfigError, MissingDependencyError

__all__ = ["KubernetesBackend", "KubernetesHandle"]


def _kubeconfig(settings: Mapping[str, Any]) -> str | None:
    given = settings.get("kubeconfig") or os.environ.get("KUBECONFIG")
    candidates = [str(given)] if given else [str(Path.home() / ".kube" / "config")]
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    return None


def _client(settings: Mapping[str, Any]) -> Any:
    try:  # typed as Any: the client has no type hints
        kubernetes: Any = importlib.import_module("kubernetes")
        importlib.import_module("kubernetes.utils")
    except ImportError:
        raise MissingDependencyError(
            "the kubernetes backend needs the kubernetes client", hint="pip install 'envyard[k8s]'"
        ) from None
    config = _kubeconfig(settings)
    if config:
        kubernetes.config.load_kube_config(config_file=config, context=settings.get("context"))
    elif os.environ.get("KUBERNETES_SERVICE_HOST"):
        kubernetes.config.load_incluster_config()
    else:
        raise ConfigError(
            "no kubeconfig: cannot reach a Kubernetes cluster",
            hint="set KUBECONFIG (or the target's `kubeconfig` setting); "
            "`envyard job render JOB --backend kubernetes` prints the manifests",
        )
    return kubernetes.client


class KubernetesHandle:
    def __init__(self, run_id: str, namespace: str, jobs: list[str], settings: Mapping[str, Any]):
        self.run_id = run_id
        self.namespace = namespace
        self.jobs = jobs
        self.settings = dict(settings)

    def _batch(self) -> Any:
        return _client(self.settings).BatchV1Api()

    def status(self) -> RunStatus:
        api = self._batch()
        states = []
        for name in self.jobs:
            job = api.read_namespaced_job_status(name, self.namespace)
            conditions = {c.type: c.status for c in (job.status.conditions or [])}
            if conditions.get("Failed") == "True":
                states.append("failed")
            elif conditions.get("Complete") == "True":
                states.append("succeeded")
            else:
                states.append("running")
        if "failed" in states:
            return RunStatus("failed", exit_code=1)
        if all(s == "succeeded" for s in states):
            return RunStatus("succeeded", exit_code=0)
        return RunStatus("running")

    def wait(self, timeout: float | None = None) -> RunStatus:
        return poll_until_done(self.status, timeout, interval=2)

    def logs(self) -> str:
        core = _client(self.settings).CoreV1Api()
        pods = core.list_namespaced_pod(
            self.namespace, label_selector=f"envyard.dev/run-id={self.run_id}"
        )
        out = []
        for pod in pods.items:
            role = pod.metadata.labels.get("envyard.dev/task-role", "?")
            index = (pod.metadata.annotations or {}).get(
                "batch.kubernetes.io/job-completion-index", "?"
            )
            text = core.read_namespaced_pod_log(pod.metadata.name, self.namespace)
            out += [f"{role}[{index}] {line}" for line in text.splitlines()]
        return "\n".join(out) + ("\n" if out else "")

    def cancel(self) -> None:
        api = self._batch()
        for name in self.jobs:
            api.delete_namespaced_job(name, self.namespace, propagation_policy="Foreground")

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": "kubernetes",
            "run_id": self.run_id,
            "namespace": self.namespace,
            "jobs": self.jobs,
            "settings": {k: v for k, v in self.settings.items() if k in ("kubeconfig", "context")},
        }


class KubernetesBackend:
    name = "kubernetes"

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})
        self.namespace = str(self.settings.get("namespace", "default"))

    def manifests(self, submission: Submission, *, reveal_secrets: bool = False) -> list[Any]:
        return render_manifests(submission, namespace=self.namespace, reveal_secrets=reveal_secrets)

    def preflight(self, plan: Any) -> None:
        for name, boot in getattr(plan, "roles", {}).items():
            if boot.host_paths:
                raise ConfigError(
                    f"task role '{name}' reads {boot.host_paths[0]} from this machine, which "
                    "its pods cannot see",
                    hint="give the prerequisite an http(s) uri, or put the files in the image",
                )
        _client(self.settings)

    def submit(self, submission: Submission) -> KubernetesHandle:
        client = _client(self.settings)
        create_from_dict: Any = importlib.import_module("kubernetes.utils").create_from_dict
        api = client.ApiClient()
        jobs = []
        for manifest in self.manifests(with_locks(submission), reveal_secrets=True):
            create_from_dict(api, manifest, namespace=self.namespace)
            if manifest["kind"] == "Job":
                jobs.append(manifest["metadata"]["name"])
        return KubernetesHandle(submission.run_id, self.namespace, jobs, self.settings)

    def attach(self, data: Mapping[str, Any]) -> KubernetesHandle:
        return KubernetesHandle(
            str(data["run_id"]),
            str(data["namespace"]),
            list(data["jobs"]),
            data.get("settings", {}),
        )
