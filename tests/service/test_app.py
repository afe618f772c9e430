"""The app as a whole: docs, health, `/`, runs and tokens resources, read-token mode."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx

from envyard.registry.db import Database
from envyard.registry.runs import RunStore
from envyard.service.testing import EnvyardServer, ServerFactory


def test_openapi_docs_and_health(sqlite_server: EnvyardServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, trust_env=False) as http:
        assert http.get("/healthz").json()["status"] == "ok"
        assert "swagger" in http.get("/docs").text.lower()
        paths = http.get("/openapi.json").json()["paths"]
        for path in (
            "/api/v1/environments", "/api/v1/environments/{ref}",
            "/api/v1/environments/{ref}/deprecate", "/api/v1/prerequisites", "/api/v1/runs",
            "/api/v1/runs/{run_id}", "/api/v1/tokens",
        ):  # fmt: skip
            assert path in paths
        root = http.get("/", follow_redirects=False)
        if importlib.util.find_spec("envyard.service.ui") is None:
            assert root.status_code in (302, 307)
            assert root.headers["location"] == "/docs"
        else:
            assert root.status_code == 200
            assert "text/html" in root.headers["content-type"]


def test_runs_are_read_only_over_rest(sqlite_server: EnvyardServer) -> None:
    runs = RunStore(Database.open(sqlite_server.db_url))
    run = runs.create("train", {"secrets": {"pw": "hunter2"}}, "local", "local")
    with httpx.Client(base_url=sqlite_server.url, trust_env=False) as http:
        got = http.get(f"/api/v1/runs/{run.id}").json()
        assert got["spec"]["secrets"] == {"pw": "***"}
        assert run.id in [r["id"] for r in http.get("/api/v1/runs", params={"limit": 500}).json()]
        assert http.get("/api/v1/runs/nope").status_code == 404
        write = {"Authorization": f"Bearer {sqlite_server.tokens['admin']}"}
        assert http.post("/api/v1/runs", json={}, headers=write).status_code == 405


def test_tokens_need_admin(sqlite_server: EnvyardServer) -> None:
    with httpx.Client(base_url=sqlite_server.url, trust_env=False) as http:
        write = {"Authorization": f"Bearer {sqlite_server.tokens['write']}"}
        admin = {"Authorization": f"Bearer {sqlite_server.tokens['admin']}"}
        assert http.get("/api/v1/tokens").status_code == 401
        assert http.get("/api/v1/tokens", headers=write).status_code == 403
        created = http.post("/api/v1/tokens", json={"name": "bot", "scope": "read"}, headers=admin)
        assert created.status_code == 201
        token = created.json()["token"]
        assert "token_hash" not in created.text
        mine = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v1/environments", headers=mine).status_code == 200
        record_id = created.json()["record"]["id"]
        assert http.post(f"/api/v1/tokens/{record_id}/revoke", headers=admin).status_code == 200
        assert http.get("/api/v1/environments", headers=mine).status_code == 401


def test_reads_can_require_a_token(envyard_server_factory: ServerFactory, tmp_path: Path) -> None:
    server = envyard_server_factory(
        f"sqlite:///{tmp_path / 'locked.db'}", ENVYARD_REQUIRE_READ_TOKEN="1"
    )
    with httpx.Client(base_url=server.url, trust_env=False) as http:
        assert http.get("/api/v1/environments").status_code == 401
        read = {"Authorization": f"Bearer {server.tokens['read']}"}
        assert http.get("/api/v1/environments", headers=read).status_code == 200
        assert http.get("/healthz").status_code == 200
