"""The local backend's detached supervisor: ``python -m envyard.backends.supervisor RUN_DIR``.

It reads ``RUN_DIR/manifest.json``, materialises kernels (through :mod:`envyard.launch`),
starts every instance (``bash <role>.sh``) in its own process group with its per-instance
environment, copies each instance's output into ``logs/<role>-<index>.log`` with secrets
masked (secret values arrive in ``ENVYARD_SECRET_*`` variables, never on disk), and keeps
``state.json`` current (written atomically). SIGTERM (``cancel``) is forwarded to every
instance's process group, so their EXIT traps run the exit callbacks; after a grace period
the groups are killed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from envyard.backends.completion import job_outcome
from envyard.backends.interface import MASK

GRACE_SECONDS = 10.0


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(path)


MIN_MASKED_LINE = 4
"""Lines of a multi-line secret shorter than this (``{``, ``}``, ``",``) are not masked alone:
they say nothing about the secret and would blank every such line of the output."""


def _masker(secrets: list[bytes]) -> Any:
    """Replaces each secret value in a line of output; output is masked a line at a time, so a
    multi-line value (a key, a certificate, a JSON service account) is masked line by line,
    as GitHub Actions does."""
    pieces = {value for value in secrets if value}
    for value in secrets:
        if b"\n" in value or b"\r" in value:
            lines = (line.strip() for line in value.splitlines())
            pieces.update(line for line in lines if len(line) >= MIN_MASKED_LINE)
    ordered = sorted(pieces, key=len, reverse=True)

    def mask(line: bytes) -> bytes:
        for value in ordered:
            line = line.replace(value, MASK.encode())
        return line

    return mask


def _pump(stream: BinaryIO, log: Path, mask: Any) -> None:
    with log.open("ab") as out:
        for line in iter(stream.readline, b""):
            out.write(mask(line))
            out.flush()


CANCEL_MARKER = "cancel-requested"
"""Written by a cancel that came before the supervisor wrote ``state.json``."""


class Supervisor:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        self.state: dict[str, Any] = {
            "state": "running",
            "started_at": now(),
            "supervisor_pid": os.getpid(),
            "instances": {},
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.cancelled = False
        self.pumps: list[threading.Thread] = []
        self.lock = threading.Lock()
        secret_values = [
            v.encode() for k, v in os.environ.items() if k.startswith("ENVYARD_SECRET_")
        ]
        self.mask = _masker(secret_values)

    def save(self) -> None:
        with self.lock:
            write_json(self.run_dir / "state.json", self.state)

    def on_term(self, _signum: int, _frame: Any) -> None:
        self.cancelled = True
        self.signal_all(signal.SIGTERM)

    def signal_all(self, sig: int) -> None:
        for proc in list(self.procs.values()):
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)

    def kernel_env(self, role: dict[str, Any], log: Path) -> dict[str, str]:
        env_data = role.get("environment")
        if not env_data or role.get("kernel_mode") != "activate":
            return {}
        try:
            from envyard.launch.kernelspec import kernel_spec
            from envyard.launch.local import materialise
        except ImportError:
            return {}  # the bootstrap creates the kernel itself
        from envyard.settings import load_settings
        from envyard.spec.environment import Environment

        spec = kernel_spec(Environment.model_validate(env_data))
        if spec is None:
            return {}
        from envyard.locking.model import Lock

        lock = Lock.model_validate(role["lock"]) if role.get("lock") else None  # the version's
        with log.open("a", encoding="utf-8") as out:
            kernel = materialise(
                spec,
                load_settings().kernel_cache,
                log=lambda line: print(line, file=out),
                lock=lock,
            )
        return {"ENVYARD_KERNEL_PREFIX": str(kernel.prefix), "ENVYARD_KERNEL_KIND": kernel.kind}

    def launch(self, item: dict[str, Any], attempt: int) -> None:
        """Start (or restart) one instance; its output goes to its log, masked."""
        key = f"{item['role']}-{item['index']}"
        log = self.run_dir / "logs" / f"{key}.log"
        role = self.manifest["roles"][item["role"]]
        work = self.run_dir / "work" / key
        work.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **item["env"], "ENVYARD_RUN_DIR": str(work)}
        if attempt > 1:
            with log.open("a", encoding="utf-8") as out:
                out.write(f"envyard: retrying {key} (attempt {attempt})\n")
        try:
            env.update(self.kernel_env(role, log))
        except Exception as exc:
            with log.open("a", encoding="utf-8") as out:
                out.write(f"envyard: kernel failed: {exc}\n")
            self.state["instances"][key] = {"exit_code": 127, "pid": None, "attempts": attempt}
            return
        proc = subprocess.Popen(
            ["bash", str(self.run_dir / role["script"])],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[key] = proc
        self.state["instances"][key] = {"pid": proc.pid, "exit_code": None, "attempts": attempt}
        assert proc.stdout is not None  # noqa: S101
        thread = threading.Thread(target=_pump, args=(proc.stdout, log, self.mask))
        thread.start()
        self.pumps.append(thread)

    def start(self) -> None:
        """Run every instance; the whole job again (``jobRetryCount``) while it fails."""
        (self.run_dir / "logs").mkdir(exist_ok=True)
        retries = int(self.manifest.get("job_retries", 0))
        for attempt in range(retries + 1):
            if attempt:
                self.note(f"envyard: the job failed; running it again (job attempt {attempt + 1})")
                self.procs.clear()
                self.state["instances"] = {}
            for item in self.manifest["instances"]:
                if self.cancelled:
                    break
                self.launch(item, 1)
            self.save()
            self.wait()
            for thread in self.pumps:
                thread.join()
            self.pumps.clear()
            if self.cancelled or self.outcome()[0]:
                break
        self.finish()

    def note(self, line: str) -> None:
        for item in self.manifest["instances"]:
            log = self.run_dir / "logs" / f"{item['role']}-{item['index']}.log"
            with log.open("a", encoding="utf-8") as out:
                out.write(line + "\n")

    def wait(self) -> None:
        items = {f"{i['role']}-{i['index']}": i for i in self.manifest["instances"]}
        deadline: float | None = None
        resend = 0.0
        while True:
            running = [p for p in self.procs.values() if p.poll() is None]
            if self.cancelled and deadline is None:
                deadline = time.monotonic() + GRACE_SECONDS
                resend = time.monotonic() + 1
            if deadline is not None and time.monotonic() > resend:
                # again every second: a TERM that lands while bash forks a command can be lost
                # (the exit callbacks ignore it: the bootstrap sets TERM to ignored for them)
                resend = time.monotonic() + 1
                self.signal_all(signal.SIGTERM)
            if deadline is not None and time.monotonic() > deadline:
                self.signal_all(signal.SIGKILL)
            restarted = self.record_exits(items)
            if not running and not restarted:
                break
            time.sleep(0.1)

    def record_exits(self, items: dict[str, dict[str, Any]]) -> bool:
        """Note finished instances; restart failed ones with retries left. True if any was."""
        restarted = False
        for key, proc in list(self.procs.items()):
            info = self.state["instances"][key]
            if proc.returncode is None or info["exit_code"] is not None:
                continue
            info["exit_code"] = proc.returncode
            retries = self.manifest["roles"][items[key]["role"]].get("retries", 0)
            if proc.returncode != 0 and not self.cancelled and info["attempts"] <= retries:
                self.launch(items[key], info["attempts"] + 1)
                restarted = True
            self.save()
        return restarted

    def outcome(self) -> tuple[bool, int]:
        codes: dict[str, list[int | None]] = {}
        for item in self.manifest["instances"]:
            info = self.state["instances"].get(f"{item['role']}-{item['index']}", {})
            codes.setdefault(item["role"], []).append(info.get("exit_code", 1))
        completions = {r: v.get("completion") for r, v in self.manifest["roles"].items()}
        return job_outcome(codes, completions)

    def finish(self) -> None:
        ok, exit_code = self.outcome()
        self.state["exit_code"] = exit_code
        if self.cancelled:
            self.state["state"] = "cancelled"
        else:
            self.state["state"] = "succeeded" if ok else "failed"
        self.state["finished_at"] = now()
        self.save()


def main(argv: list[str]) -> int:
    supervisor = Supervisor(Path(argv[0]))
    signal.signal(signal.SIGTERM, supervisor.on_term)
    signal.signal(signal.SIGINT, supervisor.on_term)
    supervisor.save()
    if (supervisor.run_dir / CANCEL_MARKER).exists():  # cancelled before state.json existed
        supervisor.cancelled = True
    supervisor.start()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
