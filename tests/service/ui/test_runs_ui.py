"""Runs in the UI over plain HTTP with real runs on the local backend: logs on the run page
and as text, the environment link, cancel and re-run (write token + CSRF), an environment's
runs on its page, and the token page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from envyard.registry.records import RunRecord
from envyard.testing.jobs import gated_job, submit
from envyard.testing.plugin import unique_name

from .conftest import UiServer

pytestmark = pytest.mark.xdist_group("envyard-ui")


@pytest.fixture
def client(ui_server: UiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ui_server.url, trust_env=False, timeout=60) as http:
        yield http


def _csrf(client: httpx.Client, url: str = "/") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def _sign_in(client: httpx.Client, ui_server: UiServer, scope: str) -> None:
    answer = client.post("/session", data={"csrf": _csrf(client), "token": ui_server.token(scope)})
    assert answer.status_code == 303


def _final(client: httpx.Client, run_id: str) -> RunRecord:
    """The run once finished (the API brings its record up to date from the backend)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = RunRecord.model_validate_json(client.get(f"/api/v1/runs/{run_id}").content)
        if run.state in ("succeeded", "failed", "cancelled"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def test_run_page_logs_cancel_and_rerun(
    client: httpx.Client, ui_server: UiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_name = unique_name("runs-env")
    ui_server.registry.environments.create({"name": env_name, "image": "python:3.11-slim"})
    job = gated_job(tmp_path, unique_name("ui-job"), environment=None)
    run = submit(job, home=ui_server.home, db_url=ui_server.db_url, monkeypatch=monkeypatch)
    with client.stream("GET", f"/runs/{run.id}/log", params={"follow": "1"}) as stream:
        for line in stream.iter_lines():  # the job has started when its first line is out
            if line == "main[0] started":
                break
    page = client.get(f"/runs/{run.id}")
    assert "main[0] started" in page.text
    assert 'data-follow="/runs/' in page.text and 'id="cancel"' in page.text
    assert re.search(r'id="cancel" disabled', page.text)  # signed out: no write token

    # a reader cannot cancel; a writer can, and the run ends as cancelled
    _sign_in(client, ui_server, "read")
    refused = client.post(f"/runs/{run.id}/cancel", data={"csrf": _csrf(client)})
    assert refused.status_code == 303
    assert ui_server.registry.runs.get(run.id).state == "running"
    _sign_in(client, ui_server, "write")
    forged = client.post(f"/runs/{run.id}/cancel", data={"csrf": "forged"})
    assert (forged.status_code, ui_server.registry.runs.get(run.id).state) == (303, "running")
    done = client.post(f"/runs/{run.id}/cancel", data={"csrf": _csrf(client)})
    assert (done.status_code, done.headers["location"]) == (303, f"/runs/{run.id}")
    assert _final(client, run.id).state == "cancelled"
    page = client.get(f"/runs/{run.id}")
    assert "cancelled run" in page.text and "data-follow" not in page.text
    text = client.get(f"/runs/{run.id}/log")
    assert text.headers["content-type"].startswith("text/plain")
    assert "main[0] started" in text.text and "main[0] done" not in text.text

    # re-run: a new run of the same job, as it ran (overrides already applied)
    job.open()
    again = client.post(f"/runs/{run.id}/rerun", data={"csrf": _csrf(client)})
    assert again.status_code == 303
    new_id = again.headers["location"].rsplit("/", 1)[1]
    assert new_id != run.id
    new = _final(client, new_id)
    assert (new.state, new.job_name) == ("succeeded", run.job_name)
    assert new.created_by == "token:ui-write"
    assert "main[0] done" in client.get(f"/runs/{new_id}/log").text
    assert f"re-ran {run.id} as run {new_id}" in client.get(f"/runs/{new_id}").text
    # a finished run cannot be cancelled
    late = client.post(f"/runs/{new_id}/cancel", data={"csrf": _csrf(client)})
    assert "nothing to cancel" in client.get(late.headers["location"]).text


def test_environment_page_lists_its_runs_and_runs_link_back(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("used-env")
    ui_server.registry.environments.create({"name": name, "image": "python:3.11-slim"})
    spec = {"name": "train", "taskRoles": {"main": {"environment": f"{name}@1", "commands": ["x"]}}}
    run = ui_server.registry.runs.create("train", spec, None, "local")
    other = ui_server.registry.runs.create("other", {"name": "other"}, None, "local")
    page = client.get(f"/environments/{name}").text
    block = page[page.index('id="environment-runs"') :]
    assert f'href="/runs/{run.id}"' in block and other.id not in block
    run_page = client.get(f"/runs/{run.id}").text
    assert f'href="/environments/{name}?version=1"' in run_page
    listing = client.get("/runs").text
    assert f'<a class="chip" href="/environments/{name}">{name}@1</a>' in listing


def test_a_job_with_secrets_is_not_re_run_with_their_masks(
    client: httpx.Client, ui_server: UiServer
) -> None:
    spec = {"name": "s", "secrets": {"pw": "hunter2"}, "taskRoles": {}}
    run = ui_server.registry.runs.create("s", spec, None, "local")
    ui_server.registry.runs.update(run.id, state="failed", exit_code=1)
    _sign_in(client, ui_server, "write")
    before = len(ui_server.registry.runs.list(limit=500))
    answer = client.post(f"/runs/{run.id}/rerun", data={"csrf": _csrf(client)})
    page = client.get(answer.headers["location"]).text
    assert "only their masks were stored" in page
    assert len(ui_server.registry.runs.list(limit=500)) == before  # nothing submitted


def test_token_page_for_admins_and_others(client: httpx.Client, ui_server: UiServer) -> None:
    page = client.get("/tokens")
    assert "Not signed in" in page.text and 'id="create-token"' not in page.text
    _sign_in(client, ui_server, "write")
    assert "needs the <code>admin</code> scope" in client.get("/tokens").text
    _sign_in(client, ui_server, "admin")
    name = unique_name("bot")
    made = client.post("/tokens", data={"csrf": _csrf(client, "/tokens"), "name": name,
                                        "scope": "read"})  # fmt: skip
    assert made.status_code == 201
    secret = re.search(r'<code id="secret">([^<]+)</code>', made.text)
    assert secret and ui_server.registry.tokens.authenticate(secret.group(1)) is not None
    assert "set-cookie" not in {k.lower() for k in made.headers if "flash" in made.headers[k]}
    record = next(t for t in ui_server.registry.tokens.list() if t.name == name)
    bad = client.post("/tokens", data={"csrf": _csrf(client, "/tokens"), "name": "",
                                       "scope": "read"})  # fmt: skip
    assert bad.status_code == 422 and "not a valid token name" in bad.text
    gone = client.post(f"/tokens/{record.id}/revoke", data={"csrf": _csrf(client, "/tokens")})
    assert gone.status_code == 303
    assert ui_server.registry.tokens.authenticate(secret.group(1)) is None
