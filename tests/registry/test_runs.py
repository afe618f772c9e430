"""Run records, with secrets masked before they are stored."""

from __future__ import annotations

import datetime as dt

import pytest

from envyard.errors import NotFoundError, SpecError
from envyard.registry.db import Database
from envyard.registry.runs import RunStore, mask_secrets


def test_create_update_get_list(metastore_url: str) -> None:
    runs = RunStore(Database.open(metastore_url))
    spec = {"name": "train", "secrets": {"token": "s3cr3t", "nested": {"k": ["a"]}}}
    run = runs.create("train", spec, "local", "local", created_by="alice")
    assert run.state == "pending"
    assert run.spec["secrets"] == {"token": "***", "nested": {"k": ["***"]}}
    assert "s3cr3t" not in str(runs.get(run.id).model_dump())
    started = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    running = runs.update(run.id, state="running", started_at=started, handle={"pid": 42})
    assert (running.state, running.started_at, running.handle) == ("running", started, {"pid": 42})
    done = runs.update(run.id, state="failed", exit_code=3, run_dir="/tmp/run")
    assert (done.exit_code, done.run_dir, done.started_at) == (3, "/tmp/run", started)
    other = runs.create("eval", {}, None, "ray")
    assert [r.id for r in runs.list()] == [other.id, run.id]
    assert [r.id for r in runs.list(state="failed")] == [run.id]
    assert len(runs.list(limit=1)) == 1


def test_bad_state_and_unknown_run(metastore_url: str) -> None:
    runs = RunStore(Database.open(metastore_url))
    run = runs.create("train", {}, None, "local")
    with pytest.raises(SpecError, match="unknown run state"):
        runs.update(run.id, state="exploded")
    with pytest.raises(NotFoundError, match="run 'nope' not found"):
        runs.get("nope")
    assert runs.get(run.id).state == "pending"


def test_mask_secrets_keeps_structure() -> None:
    data = {"a": 1, "secrets": "vault://x", "roles": [{"secrets": {"p": 1}, "x": 2}]}
    assert mask_secrets(data) == {
        "a": 1,
        "secrets": "***",
        "roles": [{"secrets": {"p": "***"}, "x": 2}],
    }
