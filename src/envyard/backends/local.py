"""``local`` (the default backend): every instance is a bash process on this machine.

``submit`` writes the scripts and ``manifest.json`` into the run directory and starts a
detached supervisor (:mod:`envyard.backends.supervisor`) that runs the instances, so the run
goes on after the CLI exits. Layout of a run directory::

    manifest.json      task roles, instances and their environment variables (no secrets)
    <role>.sh          the rendered bootstrap of each task role
    state.json         state, started/finished times, each instance's pid and exit code
    logs/<role>-<i>.log  output of each instance (secrets masked)
    work/<role>-<i>/   the instance's working directory (``$ENVYARD_RUN_DIR``)

``cancel`` sends SIGTERM to the supervisor, which forwards it to every instance's process
group (their exit callbacks run) and kills the groups after a grace period.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from envyard.backends.interface import RunStatus, Submission, poll_until_done
from envyard.backends.supervisor import CANCEL_MARKER, write_json
from envyard.errors import NotFoundError

__all__ = ["LocalBackend", "LocalHandle", "write_run_dir"]

_DEFAULT_SIGNALS = (
    signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGPIPE, signal.SIGXFSZ,
)  # fmt: skip
_CHILDREN: list[int] = []  # supervisors this process started, reaped when they exit


def _reap() -> None:
    for pid in list(_CHILDREN):
        with contextlib.suppress(ChildProcessError):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                continue
        _CHILDREN.remove(pid)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def write_run_dir(submission: Submission, kernel_mode: str = "activate") -> Path:
    """Write the scripts and the manifest of ``submission``; returns the run directory."""
    run_dir = submission.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    roles: dict[str, Any] = {}
    for name, boot in submission.roles.items():
        script = f"{name}.sh"
        (run_dir / script).write_text(boot.script, encoding="utf-8")
        env = submission.environments.get(name)
        role = submission.task_roles.get(name)
        roles[name] = {
            "script": script,
            "instances": boot.instances,
            "image": boot.image,
            "kernel_mode": kernel_mode,
            "retries": role.taskRetryCount if role else 0,
            "completion": role.completion.model_dump() if role and role.completion else None,
            "environment": env.model_dump(mode="json", exclude_none=True) if env else None,
            "lock": lock.model_dump(mode="json") if (lock := submission.locks.get(name)) else None,
        }
    instances = [
        {"role": i.role, "index": i.index, "env": i.env(submission.job_name, submission.run_id)}
        for i in submission.instances()
    ]
    manifest = {
        "run_id": submission.run_id,
        "job_name": submission.job_name,
        "roles": roles,
        "instances": instances,
        "secret_env": sorted(submission.secrets),
        "job_retries": submission.job_retries,
    }
    write_json(run_dir / "manifest.json", manifest)
    return run_dir


class LocalHandle:
    def __init__(self, run_id: str, run_dir: Path) -> None:
        self.run_id = run_id
        self.run_dir = run_dir

    def _state(self) -> dict[str, Any]:
        path = self.run_dir / "state.json"
        if not path.exists():
            if not self.run_dir.exists():
                raise NotFoundError(f"run directory {self.run_dir} is gone")
            return {"state": "pending"}
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def status(self) -> RunStatus:
        _reap()
        data = self._state()
        state = data.get("state", "pending")
        message = ""
        pid = data.get("supervisor_pid")
        if state in ("pending", "running") and pid and not _alive(pid):
            state, message = "failed", "the supervisor process died"
        return RunStatus(
            state=state,
            exit_code=data.get("exit_code"),
            started_at=_time(data.get("started_at")),
            finished_at=_time(data.get("finished_at")),
            message=message,
        )

    def wait(self, timeout: float | None = None) -> RunStatus:
        return poll_until_done(self.status, timeout, interval=0.1)

    def logs(self) -> str:
        logs = self.run_dir / "logs"
        out = []
        if not (self.run_dir / "manifest.json").exists():
            raise NotFoundError(f"run directory {self.run_dir} is gone")
        manifest = json.loads((self.run_dir / "manifest.json").read_text(encoding="utf-8"))
        for item in manifest["instances"]:
            log = logs / f"{item['role']}-{item['index']}.log"
            if log.exists():
                prefix = f"{item['role']}[{item['index']}] "
                text = log.read_text(encoding="utf-8", errors="replace")
                out += [prefix + line for line in text.splitlines()]
        return "\n".join(out) + ("\n" if out else "")

    def cancel(self) -> None:
        data = self._state()
        if data.get("state") in ("succeeded", "failed", "cancelled"):
            return
        if "supervisor_pid" not in data:  # not started yet: it checks this once it is
            (self.run_dir / CANCEL_MARKER).touch()
            data = self._state()  # it may have started meanwhile: signal it too
        pid = data.get("supervisor_pid")
        if isinstance(pid, int) and _alive(pid):
            os.kill(pid, signal.SIGTERM)
            return
        for item in data.get("instances", {}).values():  # the supervisor is gone: kill groups
            with contextlib.suppress(ProcessLookupError, TypeError):
                os.killpg(item.get("pid"), signal.SIGKILL)

    def to_dict(self) -> dict[str, Any]:
        return {"backend": "local", "run_dir": str(self.run_dir), "run_id": self.run_id}


class LocalBackend:
    name = "local"

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        self.settings = dict(settings or {})

    def submit(self, submission: Submission) -> LocalHandle:
        run_dir = write_run_dir(submission)
        values = {k: v for boot in submission.roles.values() for k, v in boot.values.items()}
        env = {**os.environ, **values, **submission.secrets}
        _reap()
        log = os.open(run_dir / "supervisor.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:  # posix_spawn, not Popen: the supervisor outlives this object (and maybe us)
            pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-m", "envyard.backends.supervisor", str(run_dir)],
                env,
                file_actions=[
                    (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_DUP2, log, 1),
                    (os.POSIX_SPAWN_DUP2, log, 2),
                ],
                setsid=True,
                setsigmask=(),  # nothing blocked, default handlers: bash can trap signals
                setsigdef=_DEFAULT_SIGNALS,
            )
        finally:
            os.close(log)
        _CHILDREN.append(pid)
        return LocalHandle(submission.run_id, run_dir)

    def attach(self, data: Mapping[str, Any]) -> LocalHandle:
        return LocalHandle(str(data["run_id"]), Path(str(data["run_dir"])))
