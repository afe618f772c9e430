"""UI sessions over plain HTTP against the real server: CSRF, token scopes, read tokens."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator

import httpx
import pytest

from envyard.registry.store import Registry
from envyard.testing.plugin import unique_name
from envyard.testing.ports import LOCALHOST, free_port
from envyard.testing.process import start_process, wait_for_http

from .conftest import UiServer

# one worker runs these: the session's server/images are started once
pytestmark = pytest.mark.xdist_group("envyard-ui")


def _csrf(client: httpx.Client, url: str) -> str:
    page = client.get(url)
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


@pytest.fixture
def client(ui_server: UiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ui_server.url, trust_env=False) as http:
        yield http


def test_forms_without_the_csrf_cookie_value_are_refused(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("csrf")
    _csrf(client, "/")
    client.post("/session", data={"csrf": _csrf(client, "/"), "token": ui_server.token()})
    forged = client.post(
        "/create", data={"csrf": "forged", "yaml_text": f"name: {name}\nimage: a/b:1\n"}
    )
    assert forged.status_code == 403
    assert "CSRF" in forged.text
    assert ui_server.registry.environments.list(prefix=name).total == 0
    ok = client.post(
        "/create",
        data={"csrf": _csrf(client, "/"), "yaml_text": f"name: {name}\nimage: a/b:1\n"},
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == f"/environments/{name}"
    assert ui_server.registry.environments.get(name).version == "1"


def test_a_revoked_token_stops_working(client: httpx.Client, ui_server: UiServer) -> None:
    record, token = ui_server.registry.tokens.create(unique_name("gone"), "write")
    client.post("/session", data={"csrf": _csrf(client, "/"), "token": token})
    assert f"token <b>{record.name}</b>" in client.get("/").text
    ui_server.registry.tokens.revoke(record.id)
    name = unique_name("after-revoke")
    refused = client.post(
        "/create",
        data={"csrf": _csrf(client, "/"), "yaml_text": f"name: {name}\nimage: a/b:1\n"},
    )
    assert refused.status_code == 401
    assert "unknown or revoked" in refused.text


def test_unknown_token_is_not_accepted_at_sign_in(client: httpx.Client) -> None:
    answer = client.post("/session", data={"csrf": _csrf(client, "/"), "token": "nope"})
    assert answer.status_code == 303
    assert "envyard_token" not in answer.headers.get("set-cookie", "")
    assert "unknown or revoked" in client.get("/").text


def test_missing_pages_and_static_files(client: httpx.Client) -> None:
    missing = client.get(f"/environments/{unique_name('ghost')}")
    assert missing.status_code == 404
    assert "not found" in missing.text
    assert client.get("/runs/doesnotexist").status_code == 404
    assert client.get("/ui/static/app.css").headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/../app.py").status_code == 404
    assert client.get("/ui/static/secret.txt").status_code == 404


def test_archived_environments_are_listed_only_on_request(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("arch")
    ui_server.registry.environments.create({"name": name, "image": "a/b:1"})
    ui_server.registry.environments.archive(name)
    assert f'data-name="{name}"' not in client.get("/", params={"q": name}).text
    archived = client.get("/", params={"q": name, "state": "archived"}).text
    assert f'data-name="{name}"' in archived
    detail = client.get(f"/environments/{name}", params={"version": "1"}).text
    assert "Archived: hidden from lists" in detail


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    """A server started with ENVYARD_REQUIRE_READ_TOKEN=1."""
    home = tmp_path_factory.mktemp("ui-private")
    db_url = f"sqlite:///{home / 'envyard.db'}"
    port = free_port()
    env = {**os.environ, "ENVYARD_HOME": str(home), "ENVYARD_DB_URL": db_url}
    env["ENVYARD_REQUIRE_READ_TOKEN"] = "1"
    argv = [
        sys.executable, "-m", "uvicorn", "--factory", "envyard.service.app:create_app",
        "--host", LOCALHOST, "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    server = start_process("envyard-serve-private", argv, home / "server.log", env=env)
    url = f"http://{LOCALHOST}:{port}"
    try:
        wait_for_http(server, f"{url}/healthz", timeout=60)
        yield UiServer(url, Registry.open(db_url), home, db_url)
    finally:
        server.stop()


def test_private_server_pages_need_a_read_token(private_server: UiServer) -> None:
    name = unique_name("private")
    private_server.registry.environments.create({"name": name, "image": "a/b:1"})
    with httpx.Client(base_url=private_server.url, trust_env=False) as http:
        anonymous = http.get("/")
        assert anonymous.status_code == 401
        assert name not in anonymous.text
        assert "read" in anonymous.text
        http.post(
            "/session", data={"csrf": _csrf(http, "/"), "token": private_server.token("read")}
        )
        signed_in = http.get("/")
        assert signed_in.status_code == 200
        assert f'data-name="{name}"' in signed_in.text


def test_new_version_from_a_stale_page_is_refused(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("stale")
    ui_server.registry.environments.create({"name": name, "image": "a/b:1"})
    client.post("/session", data={"csrf": _csrf(client, "/"), "token": ui_server.token()})
    form = client.get(f"/environments/{name}/edit").text
    etag = re.search(r'name="etag" value="([^"]+)"', form)
    assert etag
    ui_server.registry.environments.update(name, {"description": "someone else"}, replace=False)
    stale = client.post(
        f"/environments/{name}/edit",
        data={
            "csrf": _csrf(client, "/"),
            "etag": etag.group(1),
            "yaml_text": f"name: {name}\nimage: a/b:3\n",
        },
    )
    assert stale.status_code == 412
    assert "changed since you read it" in stale.text
    assert [v.version for v in ui_server.registry.environments.versions(name)] == ["2", "1"]


def test_list_pages_and_tag_filters(client: httpx.Client, ui_server: UiServer) -> None:
    prefix = unique_name("many")
    for i in range(53):
        tags = {"batch": prefix, "parity": "even" if i % 2 == 0 else "odd"}
        ui_server.registry.environments.create(
            {"name": f"{prefix}-{i:02d}", "image": "a/b:1", "tags": tags}
        )
    first = client.get("/", params={"q": prefix}).text
    second = client.get("/", params={"q": prefix, "page": 2}).text
    assert first.count(f'data-name="{prefix}-') == 50
    assert second.count(f'data-name="{prefix}-') == 3
    assert f'data-name="{prefix}-52"' in second
    both = client.get("/", params=[("tag", f"batch={prefix}"), ("tag", "parity=odd")]).text
    assert both.count(f'data-name="{prefix}-') == 26
    assert f'data-name="{prefix}-01"' in both
    assert f'data-name="{prefix}-00"' not in both
    removal = re.search(r'href="(/\?[^"]*)"[^>]*>parity=odd ×', both)
    assert removal, "the active tag filter has a link that removes it"
    widened = client.get(removal.group(1).replace("&amp;", "&")).text
    assert widened.count(f'data-name="{prefix}-') == 50  # only batch=... left: every row


def test_runs_can_be_filtered_by_state(client: httpx.Client, ui_server: UiServer) -> None:
    job = unique_name("job")
    ok = ui_server.registry.runs.create(job, {}, target=None, backend="local")
    bad = ui_server.registry.runs.create(job, {}, target=None, backend="local")
    ui_server.registry.runs.update(ok.id, state="succeeded", exit_code=0)
    ui_server.registry.runs.update(bad.id, state="failed", exit_code=2)
    failed = client.get("/runs", params={"state": "failed"}).text
    assert f'data-run="{bad.id}"' in failed
    assert f'data-run="{ok.id}"' not in failed


def test_prerequisites_are_listed_with_their_yaml(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("mnist")
    doc = {"name": name, "type": "data", "uri": ["https://example.com/mnist.tgz"]}
    ui_server.registry.prerequisites.create(doc)
    listing = client.get("/prerequisites", params={"q": name}).text
    assert f'data-name="{name}"' in listing
    detail = client.get(f"/prerequisites/{name}")
    assert detail.status_code == 200
    assert "https://example.com/mnist.tgz" in detail.text
    assert f"- {name}" in detail.text  # the snippet that uses it in a task role


def test_an_environment_named_like_a_page_is_reachable(
    client: httpx.Client, ui_server: UiServer
) -> None:
    for name in ("new", "edit", "create"):
        ui_server.registry.environments.create({"name": name, "image": "a/b:1"})
        page = client.get(f"/environments/{name}")
        assert page.status_code == 200
        assert f"{name} <span" in page.text


def test_archive_and_deprecate_one_version_from_the_ui(
    client: httpx.Client, ui_server: UiServer
) -> None:
    name = unique_name("lifecycle")
    envs = ui_server.registry.environments
    envs.create({"name": name, "image": "a/b:1"})
    envs.update(name, {"image": "a/b:2"}, replace=False)
    client.post("/session", data={"csrf": _csrf(client, "/"), "token": ui_server.token()})
    one = client.post(
        f"/environments/{name}/deprecate",
        data={"csrf": _csrf(client, "/"), "scope": "version", "version": "1"},
    )
    assert one.status_code == 303
    assert [(v.version, v.state) for v in envs.versions(name)] == [
        ("2", "active"),
        ("1", "deprecated"),
    ]
    archived = client.post(
        f"/environments/{name}/archive", data={"csrf": _csrf(client, "/"), "scope": "all"}
    )
    assert archived.status_code == 303
    states = {v.state for v in envs.versions(name, include_archived=True)}
    assert states == {"archived"}
    assert "archived" in client.get(f"/environments/{name}", params={"version": "2"}).text
