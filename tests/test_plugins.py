"""Plugins: one entry-point group for "where it runs", a third-party backend in all three uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envyard import plugins
from envyard.backends import builtin
from envyard.backends.interface import CAPABILITIES
from envyard.errors import MissingDependencyError, PluginError

BUILTIN = ["container", "docker", "kubernetes", "local", "podman", "ray"]
METHODS = {"job": ("submit", "attach"), "launch": ("plan_launch", "launch"),
           "notebook": ("run_notebooks",)}  # fmt: skip


def test_builtin_plugins_are_entry_points() -> None:
    assert plugins.available("backend") == BUILTIN
    assert set(plugins.available("prerequisite")) >= {"cmd", "data", "docker", "git", "pip"}
    assert plugins.load("backend", "local") is builtin.Local


def test_each_builtin_backend_implements_what_it_declares() -> None:
    for name in BUILTIN:
        backend = plugins.load("backend", name)
        assert backend.name == name
        assert backend.capabilities <= set(CAPABILITIES)
        for capability in backend.capabilities:
            assert all(callable(getattr(backend, m, None)) for m in METHODS[capability])


def test_backends_by_capability() -> None:
    assert plugins.backends_for("launch") == ["container", "docker", "local", "podman"]
    assert plugins.backends_for("notebook") == ["container", "local", "podman", "ray"]
    assert plugins.backends_for("job") == BUILTIN


def test_unknown_plugin_lists_the_known_ones() -> None:
    with pytest.raises(PluginError) as info:
        plugins.load("backend", "slurm")
    assert "unknown backend plugin 'slurm'" in str(info.value)
    assert f"known backend plugins: {', '.join(BUILTIN)}" in str(info.value)


def test_a_backend_without_the_capability_names_those_with_it() -> None:
    with pytest.raises(PluginError) as info:
        plugins.backend("kubernetes", "launch")
    assert "backend 'kubernetes' cannot be used by `envyard env launch`" in str(info.value)
    assert "backends that can: container, docker, local, podman" in str(info.value)


def test_settings_reach_the_backend_and_podman_fixes_its_engine() -> None:
    podman = plugins.backend("podman", "job", {"engine": "docker", "network": "host"})
    assert isinstance(podman, builtin.Podman)
    assert podman.settings == {"engine": "podman", "network": "host"}


def test_a_missing_extra_is_named(tmp_path: Path) -> None:
    site = _install(tmp_path, "[envyard.backends]\nfar = far_backend:Far\n", "import ray.nope\n")
    code = (
        "from envyard import plugins\n"
        "try:\n    plugins.backend('far', 'job')\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=_env(site), capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert done.stdout.startswith(MissingDependencyError.__name__)
    assert "needs ray" in done.stdout
    assert "pip install 'envyard[ray]'" in done.stdout


# A third-party backend: one class, all three capabilities, records what it was asked to run.
THIRD_PARTY = """
import json, os, subprocess
from pathlib import Path

LOG = Path(os.environ["HERE_LOG"])


def note(**item):
    with LOG.open("a") as out:
        out.write(json.dumps(item) + "\\n")


class Done:
    def __init__(self, run_id, code):
        self.run_id, self.code = run_id, code

    def status(self):
        from envyard.backends.interface import RunStatus
        return RunStatus("succeeded" if self.code == 0 else "failed", exit_code=self.code)

    def wait(self, timeout=None):
        return self.status()

    def logs(self):
        return LOG.read_text()

    def cancel(self):
        pass

    def to_dict(self):
        return {"backend": "here", "run_id": self.run_id, "code": self.code}


class Here:
    name = "here"
    capabilities = frozenset({"job", "launch", "notebook"})

    def __init__(self, settings):
        self.settings = settings

    def submit(self, submission):
        codes = []
        for role, boot in submission.roles.items():
            done = subprocess.run(["bash", "-c", boot.script], capture_output=True, text=True)
            note(use="job", role=role, out=done.stdout.strip())
            codes.append(done.returncode)
        return Done(submission.run_id, max(codes))

    def attach(self, data):
        return Done(data["run_id"], data["code"])

    def plan_launch(self, request):
        from envyard.launch.request import LaunchPlan
        from envyard.launch.steps import Step
        return LaunchPlan(self.name, (Step("running it here", request.command),))

    def launch(self, request, log):
        log("launching with the here backend")
        note(use="launch", ref=request.ref, command=list(request.command))
        return subprocess.run(list(request.command)).returncode

    async def run_notebooks(self, jobs, options, listener):
        from envyard.notebooks.results import NotebookResult
        results = []
        for job in jobs:
            note(use="notebook", notebook=job.path.name, settings=self.settings)
            result = NotebookResult(job.shown, job.path.name, "passed", kernel="here")
            if listener is not None:
                listener("done", result)
            results.append(result)
        return results
"""


def _install(tmp_path: Path, entry_points: str, source: str) -> Path:
    """A distribution in a folder on sys.path: module, METADATA and entry_points.txt."""
    site = tmp_path / "site"
    module = entry_points.split("=", 1)[1].strip().split(":")[0]
    dist = site / f"{module}-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    return site


def _env(site: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(site), **extra}


def _envyard(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "envyard", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip


def test_a_third_party_backend_runs_launches_jobs_and_notebooks(tmp_path: Path) -> None:
    site = _install(tmp_path, "[envyard.backends]\nhere = here_backend:Here\n", THIRD_PARTY)
    log = tmp_path / "here.log"
    env = _env(site, HERE_LOG=str(log), ENVYARD_HOME=str(tmp_path / "home"))
    for var in ("ENVYARD_URL", "ENVYARD_TOKEN", "ENVYARD_DB_URL", "ENVYARD_TARGET"):
        env.pop(var, None)
    (tmp_path / "env.yaml").write_text("name: plain\nimage: localhost/plain:1\n", encoding="utf-8")
    (tmp_path / "job.yaml").write_text(
        "protocolVersion: 2\nname: hello\ntaskRoles:\n  main: {commands: [echo from-the-job]}\n",
        encoding="utf-8",
    )
    (tmp_path / "nb.ipynb").write_text(
        json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}), "utf-8"
    )

    launched = _envyard(["env", "launch", "-f", "env.yaml", "--engine", "here", "--",
                         "python", "-c", "print('launched')"], env, tmp_path)  # fmt: skip
    assert launched.returncode == 0, launched.stderr
    assert launched.stdout == "launched\n"
    assert "launching with the here backend" in launched.stderr
    planned = _envyard(["env", "launch", "-f", "env.yaml", "--engine", "here", "--dry-run",
                        "--", "true"], env, tmp_path)  # fmt: skip
    assert planned.stdout.startswith("# engine: here\n"), planned.stderr

    submitted = _envyard(
        ["job", "submit", "job.yaml", "--backend", "here", "--wait"], env, tmp_path
    )
    assert submitted.returncode == 0, submitted.stderr
    run_id = submitted.stdout.strip()
    status = _envyard(["job", "status", run_id], env, tmp_path)
    assert "backend:   here" in status.stdout, status.stderr
    assert "state:     succeeded" in status.stdout

    tested = _envyard(["nb", "test", "nb.ipynb", "--backend", "here", "-q"], env, tmp_path)
    assert tested.returncode == 0, tested.stderr

    uses = [json.loads(line) for line in log.read_text().splitlines()]
    assert uses == [
        {"use": "launch", "ref": "plain", "command": ["python", "-c", "print('launched')"]},
        {"use": "job", "role": "main", "out": "from-the-job"},
        {"use": "notebook", "notebook": "nb.ipynb", "settings": {}},
    ]


def test_unknown_engine_and_notebook_backend_list_the_available_ones(tmp_path: Path) -> None:
    (tmp_path / "env.yaml").write_text("name: plain\nimage: localhost/plain:1\n", encoding="utf-8")
    env = {**os.environ, "ENVYARD_HOME": str(tmp_path / "home")}
    launched = _envyard(["env", "launch", "-f", "env.yaml", "--engine", "slurm", "--", "true"],
                        env, tmp_path)  # fmt: skip
    assert launched.returncode == 1
    assert launched.stderr.startswith("error: unknown backend plugin 'slurm'")
    assert "container, docker, kubernetes, local, podman, ray" in launched.stderr
    tested = _envyard(["nb", "test", ".", "--backend", "kubernetes"], env, tmp_path)
    assert tested.returncode == 1
    assert "backend 'kubernetes' cannot be used by `envyard nb test`" in tested.stderr
    assert "backends that can: container, local, podman, ray" in tested.stderr
