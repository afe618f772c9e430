"""Real runs for tests: a job that waits at a gate, submitted on the local backend
into the same metastore and ENVYARD_HOME as the server under test."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from envyard.registry.records import RunRecord


@dataclass(frozen=True)
class GatedJob:
    file: Path
    gate: Path  # the job prints "started", waits until this file exists (2 min), prints "done"

    def open(self) -> None:
        self.gate.write_text("go")


def gated_job(folder: Path, name: str = "gated", environment: str | None = None) -> GatedJob:
    gate = folder / f"{name}.gate"
    env_line = f"    environment: {environment}\n" if environment else ""
    job = folder / f"{name}.yaml"
    job.write_text(
        "protocolVersion: 2\n"
        f"name: {name}\n"
        "type: job\n"
        "taskRoles:\n"
        "  main:\n"
        "    instances: 1\n"
        f"{env_line}"
        "    commands:\n"
        "      - echo started\n"
        # at most 2 minutes: a test that fails before opening the gate leaves no job behind
        f"      - for i in $(seq 1200); do [ -e '{gate}' ] && break; sleep 0.1; done\n"
        "      - echo done\n",
        encoding="utf-8",
    )
    return GatedJob(job, gate)


def submit(job: GatedJob, *, home: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> RunRecord:
    """Submit on the local backend as `envyard job submit` would, into the server's stores."""
    from envyard.jobs.runs import submit_job

    monkeypatch.setenv("ENVYARD_HOME", str(home))
    monkeypatch.setenv("ENVYARD_DB_URL", db_url)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    monkeypatch.delenv("ENVYARD_TARGET", raising=False)
    result = submit_job(job.file, backend="local", created_by="test")
    run: RunRecord = result.run
    return run
