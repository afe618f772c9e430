"""``container``: every instance runs in a podman (or docker) container of its task role's image.

The bootstrap is mounted read-only at ``/envyard/bootstrap.sh`` and run with bash (``sh`` when
the image has no bash: the bootstrap is POSIX); the instance's working folder
``work/<role>-<i>`` of the run directory is ``/envyard/work``. Target settings: ``engine``
(``podman``, the default when installed, or ``docker``), ``network`` (``none``, the default,
or ``host``: the default bridge is never used), ``containers_conf`` (podman).

Podman on this kind of machine needs ``runc`` and a containers.conf raising the default
ulimits; unless ``CONTAINERS_CONF`` is set, Envyard writes one under ``$ENVYARD_HOME`` and uses
it. Secrets are passed as ``--env NAME`` (the value comes from the engine's environment, never
its command line); logs read back are masked. Containers carry the labels ``envyard.run``,
``envyard.run_dir`` and ``envyard.key``. Once every container of a run has exited, the handle
keeps each one's output (masked) and exit code in ``logs/<role>-<i>.log``/``.exit`` of the run
directory and removes the containers; each submission also sweeps exited containers of runs
nobody followed, so nothing accumulates.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envyard.backends.container_cleanup import harvest, read_logs, sweep
from envyard.backends.interface import (
    RunStatus,
    Submission,
    fingerprints,
    poll_until_done,
)
from envyard.backends.local import write_run_dir
from envyard.backends.locks import PINS_IN_CONTAINER, write_pins
from envyard.backends.supervisor import write_json
from envyard.errors import ConfigError, ExecutionError, MissingDependencyError
from envyard.settings import load_settings

__all__ = ["ContainerBackend", "ContainerHandle", "engine_env"]

CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
"""
_LAUNCH = 'if command -v bash >/dev/null 2>&1; then exec bash "$0"; else exec sh "$0"; fi'


def engine_env(engine: str, settings: Mapping[str, Any]) -> dict[str, str]:
    """The engine's environment: podman gets a containers.conf that works on this machine."""
    env = dict(os.environ)
    if Path(engine).name == "podman" and "CONTAINERS_CONF" not in env:
        conf = settings.get("containers_conf")
        if conf is None:
            path = load_settings().home / "podman" / "containers.conf"
            if not path.exists() or path.read_text() != CONTAINERS_CONF:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(CONTAINERS_CONF)
                tmp.replace(path)
            conf = path
        env["CONTAINERS_CONF"] = str(conf)
    return env


def _engine(settings: Mapping[str, Any]) -> str:
    wanted = settings.get("engine")
    for name in [wanted] if wanted else ["podman", "docker"]:
        found = shutil.which(str(name))
        if found:
            return found
    raise MissingDependencyError(
        f"{wanted or 'podman or docker'} is not installed (the container backend needs it)",
        hint="apt-get install podman runc",
    )


def _run(argv: list[str], env: Mapping[str, str], what: str) -> str:
    done = subprocess.run(argv, env=dict(env), capture_output=True, text=True, check=False)
    if done.returncode != 0:  # the engine's last lines, on the error's one line
        said = "; ".join(line.strip() for line in done.stderr.splitlines()[-3:] if line.strip())
        raise ExecutionError(f"{what} failed: {said}", output=done.stderr)
    return done.stdout


class ContainerHandle:
    def __init__(
        self,
        run_id: str,
        engine: str,
        containers: list[dict[str, Any]],
        prints: list[dict[str, Any]],
        settings: Mapping[str, Any],
        *,
        run_dir: Path | None = None,
    ) -> None:
        self.run_id = run_id
        self.engine = engine
        self.containers = containers  # {"name", "role", "index"}
        self.prints = prints
        self.settings = dict(settings)
        self.run_dir = run_dir  # logs/<role>-<i>.log and .exit once a container is removed

    def _kept(self, c: Mapping[str, Any]) -> tuple[Path, Path] | None:
        """The log and exit-code files of a container that was harvested and removed."""
        if self.run_dir is None:
            return None
        base = self.run_dir / "logs" / f"{c['role']}-{c['index']}"
        log, code = base.with_suffix(".log"), base.with_suffix(".exit")
        return (log, code) if code.exists() else None

    def _env(self) -> dict[str, str]:
        return engine_env(self.engine, self.settings)

    def _inspect(self, name: str) -> dict[str, Any]:
        text = _run([self.engine, "inspect", name], self._env(), f"inspecting {name}")
        data: dict[str, Any] = json.loads(text)[0]["State"]
        return data

    def status(self) -> RunStatus:
        codes = []
        for c in self.containers:
            kept = self._kept(c)
            if kept is not None:
                codes.append(int(kept[1].read_text() or 1))
                continue
            found = self._inspect(c["name"])
            if found.get("Running") or found.get("Status") in ("created", "configured"):
                return RunStatus("running")
            codes.append(int(found.get("ExitCode", 1)))
        if self.run_dir is not None:  # every container has exited: keep logs, remove them
            harvest(self.engine, self._env(), self.containers, self.run_dir, self.prints)
        failed = [c for c in codes if c != 0]
        state = "failed" if failed else "succeeded"
        return RunStatus(state, exit_code=failed[0] if failed else 0)  # type: ignore[arg-type]

    def wait(self, timeout: float | None = None) -> RunStatus:
        return poll_until_done(self.status, timeout, interval=0.2)

    def logs(self) -> str:
        out = []
        for c in self.containers:
            kept = self._kept(c)
            if kept is not None:
                text = kept[0].read_text(encoding="utf-8", errors="replace")  # masked already
            else:
                text = read_logs(self.engine, self._env(), c["name"], self.prints)
            out += [f"{c['role']}[{c['index']}] {line}" for line in text.splitlines()]
        return "\n".join(out) + ("\n" if out else "")

    def cancel(self, grace: float = 10) -> None:
        """TERM the bootstrap (PID 1 traps it) and everything it runs, so the foreground
        command ends and the exit callbacks run; again every second (a TERM landing while bash
        forks can be lost); after ``grace`` seconds the containers are stopped."""
        env = self._env()
        for c in self.containers:
            subprocess.run([self.engine, "kill", "--signal", "TERM", c["name"]], env=env,
                           capture_output=True, check=False)  # fmt: skip
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.status().state == "running":
            for c in self.containers:
                subprocess.run([self.engine, "exec", c["name"], "sh", "-c", "kill -TERM -1"],
                               env=env, capture_output=True, check=False)  # fmt: skip
            time.sleep(1)
        for c in self.containers:
            subprocess.run([self.engine, "stop", "--time", "5", c["name"]], env=env,
                           capture_output=True, check=False)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "backend": "container",
            "run_id": self.run_id,
            "engine": self.engine,
            "containers": self.containers,
            "fingerprints": self.prints,
            "settings": {k: v for k, v in self.settings.items() if k == "containers_conf"},
            "run_dir": str(self.run_dir) if self.run_dir else None,
        }


class ContainerBackend:
    name = "container"

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})
        network = str(self.settings.get("network", "none"))
        if network not in ("none", "host"):
            raise ConfigError(
                f"container network '{network}' is not allowed",
                hint="use network: none (default) or network: host",
            )
        self.network = network

    def preflight(self, plan: Any) -> None:
        _engine(self.settings)
        for name, boot in plan.roles.items():
            if not boot.image:
                raise ConfigError(
                    f"task role '{name}' has no image to run in a container",
                    hint="set `dockerImage:` or an `environment:` that has an image",
                )
            for path in boot.host_paths:  # mounted as --volume PATH:PATH:ro
                if ":" in path or "," in path:
                    raise ConfigError(
                        f"task role '{name}' reads {path}, which cannot be mounted into a "
                        "container (':' and ',' separate a volume's parts)",
                        hint="rename the folder, or give the prerequisite an http(s) uri",
                    )

    def submit(self, submission: Submission) -> ContainerHandle:
        engine = _engine(self.settings)
        sweep(engine, engine_env(engine, self.settings))  # exited runs nobody followed
        values = {k: v for boot in submission.roles.values() for k, v in boot.values.items()}
        env = {**engine_env(engine, self.settings), **values, **submission.secrets}
        run_dir = write_run_dir(submission)
        pins = write_pins(submission, run_dir)  # role -> its kernel's lock as requirements
        containers: list[dict[str, Any]] = []
        for instance in submission.instances():
            boot = submission.roles[instance.role]
            work = run_dir / "work" / instance.key
            work.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"envyard-{submission.run_id}-{instance.key}")
            argv = [engine, "run", "--detach", "--name", name, "--network", self.network]
            argv += ["--label", f"envyard.run={submission.run_id}"]
            argv += [
                "--label",
                f"envyard.run_dir={run_dir}",
                "--label",
                f"envyard.key={instance.key}",
            ]
            argv += ["--volume", f"{run_dir / (instance.role + '.sh')}:/envyard/bootstrap.sh:ro"]
            argv += ["--volume", f"{work}:/envyard/work", "--workdir", "/envyard/work"]
            for path in boot.host_paths:  # local data and repositories, at the same path
                argv += ["--volume", f"{path}:{path}:ro"]
            if instance.role in pins:  # the bootstrap installs the lock, not the kernel's list
                argv += ["--volume", f"{pins[instance.role]}:{PINS_IN_CONTAINER}:ro"]
                argv += ["--env", f"ENVYARD_KERNEL_REQUIREMENTS={PINS_IN_CONTAINER}"]
            variables = {
                **instance.env(submission.job_name, submission.run_id),
                "ENVYARD_RUN_DIR": "/envyard/work",
            }
            for key, value in variables.items():
                argv += ["--env", f"{key}={value}"]
            for key in sorted({**submission.secrets, **boot.values}):
                argv += ["--env", key]  # the value comes from the engine's environment
            argv += ["--entrypoint", "sh", str(boot.image), "-c", _LAUNCH, "/envyard/bootstrap.sh"]
            _run(argv, env, f"starting container {name}")
            containers.append({"name": name, "role": instance.role, "index": instance.index})
        prints = fingerprints(submission.secrets)
        write_json(run_dir / "fingerprints.json", {"fingerprints": prints})  # to mask kept logs
        return ContainerHandle(
            submission.run_id, engine, containers, prints, self.settings, run_dir=run_dir
        )

    def attach(self, data: Mapping[str, Any]) -> ContainerHandle:
        return ContainerHandle(
            str(data["run_id"]),
            str(data["engine"]),
            list(data["containers"]),
            list(data.get("fingerprints", [])),
            data.get("settings", {}),
            run_dir=Path(str(data["run_dir"])) if data.get("run_dir") else None,
        )


def remove_containers(handle: ContainerHandle) -> None:
    """Remove a run's containers (they are kept after exit so their logs can be read)."""
    for c in handle.containers:
        subprocess.run([handle.engine, "rm", "--force", c["name"]], env=handle._env(),
                       capture_output=True, check=False)  # fmt: skip
