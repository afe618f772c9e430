"""Run logs over REST: ``GET /api/v1/runs/{id}/logs`` now and followed while the run goes on
(issue 16, point 5), with a real run on the local backend."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from envyard.service.testing import ServerFactory
from envyard.testing.jobs import gated_job, submit


def _wait_for_state(http: httpx.Client, run_id: str, states: set[str]) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = str(http.get(f"/api/v1/runs/{run_id}").json()["state"])
        if state in states:
            return state
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} never reached {states}")


def test_logs_and_follow_stream_a_running_job(
    envyard_server_factory: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, db_url = tmp_path / "home", f"sqlite:///{tmp_path / 'envyard.db'}"
    server = envyard_server_factory(db_url, ENVYARD_HOME=str(home))
    job = gated_job(tmp_path)
    run = submit(job, home=home, db_url=db_url, monkeypatch=monkeypatch)
    with httpx.Client(base_url=server.url, trust_env=False, timeout=60) as http:
        url = f"/api/v1/runs/{run.id}/logs"
        with http.stream("GET", url, params={"follow": "true"}) as stream:
            assert stream.headers["content-type"].startswith("text/plain")
            lines = stream.iter_lines()
            seen = []
            for line in lines:
                seen.append(line)
                if line == "main[0] started":
                    break
            # the first line arrived while the job still waits at its gate: it is streamed
            assert http.get(f"/api/v1/runs/{run.id}").json()["state"] == "running"
            job.open()
            seen += list(lines)  # the stream ends when the run has finished
        assert "main[0] done" in seen
        assert seen[-1] == "main[0] envyard: task role main[0] exits with 0"
        assert _wait_for_state(http, run.id, {"succeeded"}) == "succeeded"
        text = http.get(url).text
        assert text.splitlines() == seen
        assert http.get("/api/v1/runs/nope/logs").status_code == 404
        assert "/api/v1/runs/{run_id}/logs" in http.get("/openapi.json").json()["paths"]


def test_a_run_that_never_started_has_empty_logs(
    envyard_server_factory: ServerFactory, tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'envyard.db'}"
    server = envyard_server_factory(db_url)
    from envyard.registry.store import Registry

    run = Registry.open(db_url).runs.create("never", {"name": "never"}, None, "local")
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        got = http.get(f"/api/v1/runs/{run.id}/logs")
        assert (got.status_code, got.text) == (200, "")


def test_client_runs_logs_over_http_and_in_process(
    envyard_server_factory: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from envyard.client import Client

    home, db_url = tmp_path / "home", f"sqlite:///{tmp_path / 'envyard.db'}"
    server = envyard_server_factory(db_url, ENVYARD_HOME=str(home))
    job = gated_job(tmp_path, "sdk")
    run = submit(job, home=home, db_url=db_url, monkeypatch=monkeypatch)
    with Client(server.url) as remote, Client() as local:  # local: ENVYARD_DB_URL
        assert remote.remote and not local.remote
        followed = remote.runs.follow_logs(run.id)
        first = []
        for line in followed:
            first.append(line)
            if line == "main[0] started\n":
                break
        assert remote.runs.get(run.id).state == "running"  # the job still waits at its gate
        job.open()
        rest = list(followed)
        assert rest[-1] == "main[0] envyard: task role main[0] exits with 0\n"
        text = remote.runs.logs(run.id)
        assert text == "".join(first + rest)
        assert local.runs.logs(run.id) == text
        assert "".join(local.runs.follow_logs(run.id)) == text  # finished: all at once, ends
