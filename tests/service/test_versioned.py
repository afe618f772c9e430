"""REST resources against a real uvicorn server: statuses, bodies, ETags, auth."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from envyard.service.testing import EnvyardServer
from envyard.testing.plugin import unique_name

API = "/api/v1/environments"


@pytest.fixture
def http(sqlite_server: EnvyardServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sqlite_server.url, timeout=30, trust_env=False) as client:
        yield client


def auth(server: EnvyardServer, scope: str = "write") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.tokens[scope]}"}


def body(name: str, **extra: object) -> dict[str, object]:
    return {"name": name, "image": "python:3.11-slim", "kernel": ["six"], **extra}


def test_writes_need_a_write_token(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    name = unique_name("env")
    anonymous = http.post(API, json=body(name))
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "write" in anonymous.json()["detail"]
    read_only = http.post(API, json=body(name), headers=auth(sqlite_server, "read"))
    assert read_only.status_code == 403
    assert "'read' scope" in read_only.json()["detail"]
    bogus = http.get(f"{API}", headers={"Authorization": "Bearer eyd_nope_nope"})
    assert bogus.status_code == 401
    assert http.get(f"{API}/{name}").status_code == 404  # nothing was created
    created = http.post(API, json=body(name), headers=auth(sqlite_server, "admin"))
    assert created.status_code == 201
    assert created.json()["created_by"] == "token:test-admin"


def test_create_get_etag_and_conditional_get(
    http: httpx.Client, sqlite_server: EnvyardServer
) -> None:
    name = unique_name("env")
    created = http.post(API, json=body(name, tags=["GPU"]), headers=auth(sqlite_server))
    assert created.status_code == 201
    data = created.json()
    assert (data["ref"], data["state"], data["tags"]) == (f"{name}@1", "active", {"GPU": ""})
    got = http.get(f"{API}/{name}")
    assert got.status_code == 200
    etag = got.headers["etag"]
    assert etag == created.headers["etag"] == f'"{data["etag"]}"'
    assert http.get(f"{API}/{name}", headers={"If-None-Match": etag}).status_code == 304
    assert http.get(f"{API}/{name}@1").json()["ref"] == f"{name}@1"
    assert http.get(f"{API}/{name}/versions/1").json()["ref"] == f"{name}@1"
    assert http.get(f"{API}/{name}/resolve").json()["ref"] == f"{name}@1"


def test_update_with_if_match_and_lost_update_protection(
    http: httpx.Client, sqlite_server: EnvyardServer
) -> None:
    name = unique_name("env")
    etag = http.post(API, json=body(name), headers=auth(sqlite_server)).headers["etag"]
    first = http.patch(
        f"{API}/{name}",
        json={"description": "mine"},
        headers={**auth(sqlite_server), "If-Match": etag},
    )
    assert first.status_code == 201
    assert first.json()["version"] == "2"
    second = http.patch(
        f"{API}/{name}",
        json={"description": "theirs"},
        headers={**auth(sqlite_server), "If-Match": etag},
    )
    assert second.status_code == 412
    assert "changed since you read it" in second.json()["detail"]
    put = http.put(
        f"{API}/{name}", json=body(name, description="full"), headers=auth(sqlite_server)
    )
    assert put.json()["ref"] == f"{name}@3"
    assert [v["version"] for v in http.get(f"{API}/{name}/versions").json()] == ["3", "2", "1"]


def test_422_lists_field_paths(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    bad = http.post(
        API,
        json={"name": "ok", "image": "python:3.11", "kernel": {"dependencies": [3]}, "tagz": {}},
        headers=auth(sqlite_server),
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"kernel.dependencies[0]", "tagz"} <= fields
    not_json = http.post(
        API, content=b"{nope", headers={**auth(sqlite_server), "Content-Type": "application/json"}
    )
    assert not_json.status_code == 422
    assert not_json.json()["errors"]
    bad_query = http.get(API, params={"limit": 0})
    assert bad_query.status_code == 422
    assert bad_query.json()["errors"][0]["field"] == "limit"


def test_404_and_409_messages(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    name = unique_name("env")
    missing = http.get(f"{API}/{name}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"environment '{name}' not found"
    http.post(API, json=body(name), headers=auth(sqlite_server))
    again = http.post(API, json=body(name), headers=auth(sqlite_server))
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
    assert "envyard env update" in again.json()["hint"]
    assert http.get(f"{API}/{name}@7").status_code == 404


def test_lifecycle_over_rest(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    name, successor = unique_name("env"), unique_name("env")
    headers = auth(sqlite_server)
    http.post(API, json=body(name), headers=headers)
    http.post(API, json=body(successor), headers=headers)
    deprecated = http.post(
        f"{API}/{name}/deprecate",
        json={"replaced_by": successor, "delete_on": "2030-06-01"},
        headers=headers,
    )
    assert deprecated.status_code == 200
    assert deprecated.json()["state"] == "deprecated"
    got = http.get(f"{API}/{name}")
    assert got.headers["deprecation"] == "true"
    assert got.headers["sunset"] == "2030-06-01"
    assert successor in got.headers["link"]
    listed = http.get(API, params={"prefix": name}).json()
    assert [i["ref"] for i in listed["items"]] == [f"{name}@1"]
    assert http.post(f"{API}/{name}/archive", headers=headers).json()["state"] == "archived"
    assert http.get(API, params={"prefix": name}).json()["total"] == 0
    assert http.get(API, params={"prefix": name, "state": "archived"}).json()["total"] == 1
    assert http.get(f"{API}/{name}@1").json()["state"] == "archived"
    assert http.get(f"{API}/{name}").status_code == 404
    assert (
        http.patch(f"{API}/{name}", json={"description": "x"}, headers=headers).status_code == 409
    )
    assert http.delete(f"{API}/{name}", headers=auth(sqlite_server, "read")).status_code == 403
    assert http.delete(f"{API}/{name}", headers=headers).status_code == 204
    assert http.get(f"{API}/{name}@1").status_code == 404


def test_list_filters_by_tag_and_paginates(
    http: httpx.Client, sqlite_server: EnvyardServer
) -> None:
    prefix = unique_name("tagged")
    for index in range(3):
        tags = {"GPU": "", "idx": str(index)} if index else {"CPU": ""}
        http.post(API, json=body(f"{prefix}-{index}", tags=tags), headers=auth(sqlite_server))
    gpu = http.get(API, params={"prefix": prefix, "tag": "GPU"}).json()
    assert [i["name"] for i in gpu["items"]] == [f"{prefix}-1", f"{prefix}-2"]
    both = http.get(API, params=[("prefix", prefix), ("tag", "GPU"), ("tag", "idx=2")]).json()
    assert [i["name"] for i in both["items"]] == [f"{prefix}-2"]
    page = http.get(API, params={"prefix": prefix, "limit": 1, "offset": 1}).json()
    assert (page["total"], [i["name"] for i in page["items"]]) == (3, [f"{prefix}-1"])


def test_prerequisites_resource(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    name = unique_name("prq")
    spec = {"name": name, "type": "script", "plugin": "cmd", "callbacks": []}
    created = http.post("/api/v1/prerequisites", json=spec, headers=auth(sqlite_server))
    assert created.status_code == 201
    assert created.json()["type"] == "script"
    assert http.get(f"/api/v1/prerequisites/{name}").json()["document"]["plugin"] == "cmd"
    assert http.get(f"/api/v1/environments/{name}").status_code == 404
