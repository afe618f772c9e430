"""Kubernetes manifests, validated offline against the official schema (strict)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.backends.helpers import submission

from envyard.backends.kubernetes import KubernetesBackend
from envyard.backends.locks import with_locks
from envyard.backends.manifests import dns_name, render_manifests
from envyard.errors import ConfigError, MissingDependencyError
from envyard.spec.environment import Environment
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex
from envyard.yamlio import dump_all, load

JOB = """
protocolVersion: 2
name: Dist_Train
secrets: {token: abc123}
prerequisites:
  - {name: img, type: dockerimage, uri: "registry.example.com/team/train:1.0"}
  - name: data
    type: data
    callbacks: [{event: containerStart, commands: ["echo data"]}]
taskRoles:
  ps:
    dockerImage: img
    commands: ["echo ps <% $secrets.token %>"]
  worker:
    instances: 3
    taskRetryCount: 2
    dockerImage: img
    prerequisites: [data]
    resourcePerInstance: {cpu: 2, memoryMB: 4096, gpu: 1}
    commands: ["echo worker $ENVYARD_TASK_INDEX"]
"""


def validate(tmp_path: Path, manifests: list[dict[str, Any]]) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "manifests.yaml"
    path.write_text(dump_all(manifests), encoding="utf-8")  # as `job render` writes them
    tool = shutil.which("kubernetes-validate")
    assert tool, "kubernetes-validate is in the test extra"
    return subprocess.run(
        [tool, "--strict", str(path)], capture_output=True, text=True, check=False
    )


def test_manifests_pass_strict_validation(tmp_path: Path) -> None:
    manifests = render_manifests(submission(tmp_path, JOB), namespace="ml")
    kinds = [m["kind"] for m in manifests]
    assert kinds == ["ConfigMap", "Secret", "Job", "Job"]
    done = validate(tmp_path, manifests)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed") == 4


def test_indexed_jobs_run_the_bootstrap_from_the_config_map(tmp_path: Path) -> None:
    sub = submission(tmp_path, JOB)
    config, secret, ps, worker = render_manifests(sub)
    assert set(config["data"]) == {"ps.sh", "worker.sh"}
    assert config["data"]["worker.sh"] == sub.roles["worker"].script
    assert secret["stringData"] == {"ENVYARD_SECRET_TOKEN": "***"}  # masked unless applying
    spec = worker["spec"]
    assert (spec["completionMode"], spec["completions"], spec["parallelism"]) == ("Indexed", 3, 3)
    assert spec["backoffLimit"] == 2
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "registry.example.com/team/train:1.0"
    assert container["command"] == ["bash", "/envyard/bootstrap/worker.sh"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert "kill -TERM -1" in container["lifecycle"]["preStop"]["exec"]["command"][2]
    env = {e["name"]: e for e in container["env"]}
    assert env["ENVYARD_TASK_COUNT"]["value"] == "3"
    assert "job-completion-index" in env["ENVYARD_TASK_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert pod["volumes"][0]["configMap"]["name"] == config["metadata"]["name"]
    assert ps["metadata"]["name"] == dns_name("dist-train", sub.run_id, "ps")
    ps_env = {e["name"]: e for e in ps["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert ps_env["ENVYARD_SECRET_TOKEN"]["valueFrom"]["secretKeyRef"]["key"] == (
        "ENVYARD_SECRET_TOKEN"
    )
    revealed = render_manifests(sub, reveal_secrets=True)[1]
    assert revealed["stringData"] == {"ENVYARD_SECRET_TOKEN": "abc123"}


def test_the_validator_rejects_a_broken_job(tmp_path: Path) -> None:
    manifests = render_manifests(submission(tmp_path, JOB))
    manifests[2]["spec"]["completionMode"] = "Sideways"
    manifests[2]["spec"]["template"]["spec"]["containers"][0]["entrypoint"] = ["x"]
    done = validate(tmp_path, manifests)
    assert done.returncode != 0


def test_a_role_without_image_is_a_clear_error(tmp_path: Path) -> None:
    sub = submission(
        tmp_path, "protocolVersion: 2\nname: noimg\ntaskRoles:\n  r: {commands: [echo]}\n"
    )
    with pytest.raises(Exception, match="task role 'r' has no image to run on Kubernetes"):
        render_manifests(sub)


def test_submit_without_a_cluster_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    backend = KubernetesBackend({"namespace": "ml"})
    with pytest.raises((ConfigError, MissingDependencyError), match=r"kube|k8s"):
        backend.preflight(None)


def test_dns_names() -> None:
    assert dns_name("My_Job", "ab12") == "my-job-ab12"
    assert len(dns_name("x" * 100)) == 63


def test_a_locked_kernel_travels_in_the_manifests_and_the_bootstrap_installs_it(
    tmp_path: Path, pypi_index: PypiIndex
) -> None:
    """The lock made when 1.0 was the newest is what a pod installs after 2.0 is out."""
    name = unique_name("eyk8s").replace("-", "_")
    pypi_index.add_wheel(name, "1.0")
    env = Environment(
        name="locked",
        image="registry.example.com/team/py:3.11",
        kernel=[f"--index-url {pypi_index.url}", name],
    )
    job = f"""
        protocolVersion: 2
        name: locked-pods
        taskRoles:
          worker:
            environment: locked
            commands: ["python -c \\"import {name} as p; print('got', p.__version__)\\""]
        """
    sub = with_locks(submission(tmp_path, job, envs=[env]))
    lock = sub.locks["worker"]
    pypi_index.add_wheel(name, "2.0")
    manifests = render_manifests(sub, namespace="ml")
    config, worker = manifests
    pins = config["data"]["worker.requirements.txt"]
    assert pins.splitlines()[0] == f"--index-url {pypi_index.url}"
    assert f"{name.replace('_', '-')}==1.0 --hash=sha256:" in pins
    container = worker["spec"]["template"]["spec"]["containers"][0]
    env_vars = {e["name"]: e.get("value") for e in container["env"]}
    assert env_vars["ENVYARD_KERNEL_REQUIREMENTS"] == "/envyard/bootstrap/worker.requirements.txt"
    assert worker["metadata"]["annotations"] == {"envyard.dev/lock-hash": lock.digest()}
    assert worker["spec"]["template"]["metadata"]["annotations"] == {
        "envyard.dev/lock-hash": lock.digest()
    }
    done = validate(tmp_path, manifests)
    assert done.returncode == 0, done.stdout + done.stderr

    # what the pod does, here: the bootstrap creates the kernel from the pinned file
    mount = tmp_path / "mount"
    mount.mkdir()
    for key, text in config["data"].items():
        (mount / key).write_text(text, encoding="utf-8")
    ran = subprocess.run(
        ["bash", str(mount / "worker.sh")],
        cwd=tmp_path,
        env={
            **pypi_index.isolated_env(),
            "ENVYARD_KERNEL_CACHE": str(tmp_path / "kernels"),
            "ENVYARD_KERNEL_REQUIREMENTS": str(mount / "worker.requirements.txt"),
            "ENVYARD_RUN_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "got 1.0"


def test_job_render_prints_manifests_that_carry_the_lock(
    tmp_path: Path, pypi_index: PypiIndex
) -> None:
    import os
    import sys

    name = unique_name("eyrender").replace("-", "_")
    pypi_index.add_wheel(name, "3.0")
    (tmp_path / "env.yaml").write_text(
        f"name: locked\nimage: registry.example.com/py:3.11\n"
        f"kernel: ['--index-url {pypi_index.url}', '{name}']\n",
        encoding="utf-8",
    )
    (tmp_path / "job.yaml").write_text(
        "protocolVersion: 2\nname: rendered\ntaskRoles:\n"
        "  main: {environment: locked, commands: [python -V]}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "ENVYARD_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "envyard", "job", "render", "job.yaml", "--backend", "kubernetes",
         "--env-file", "env.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    documents = re.split(r"(?m)^---$\n", done.stdout)  # block scalars are indented
    manifests = [load(text, "<job render>") for text in documents]
    config, job = manifests
    assert (
        f"{name.replace('_', '-')}==3.0 --hash=sha256:" in config["data"]["main.requirements.txt"]
    )
    assert job["metadata"]["annotations"]["envyard.dev/lock-hash"].startswith("sha256:")
    checked = validate(tmp_path, manifests)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_job_that_reads_this_machines_files_is_refused(tmp_path: Path) -> None:
    """A local data folder exists on this machine only: refused before anything is created."""
    (tmp_path / "data").mkdir()
    sub = submission(
        tmp_path,
        """
        protocolVersion: 2
        name: local-data
        prerequisites:
          - {name: ds, type: data, plugin: data, uri: [data]}
        taskRoles:
          w: {dockerImage: "busybox:1", prerequisites: [ds], commands: [ls]}
        """,
    )
    plan = type("Plan", (), {"roles": sub.roles})()
    with pytest.raises(ConfigError, match=r"task role 'w' reads .*/data from this machine"):
        KubernetesBackend({"namespace": "ml"}).preflight(plan)
