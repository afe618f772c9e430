"""Hostile names at every edge the core owns: spec files, the CLI, REST and the SDK.

A name holding a newline, a carriage return, NUL, a path, an option or a unicode control is
refused where it enters (one located line, exit 1 / HTTP 422), looking one up finds nothing
(HTTP 404, never the object whose name it starts with), and no output line is forged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from envyard.cli.main import run
from envyard.client import Client
from envyard.errors import NotFoundError, SpecError
from envyard.service.testing import EnvyardServer, sqlite_server
from envyard.testing.plugin import unique_name

__all__ = ["sqlite_server"]

HOSTILE = [
    "{base}\n",
    "{base}\r",
    "{base}\x00",
    "{base}\u202e",
    "{base}\u2028",
    "../{base}",
    "{base}/..",
    "refs/heads/{base}",
    "-rf",
    "--help",
    " {base}",
    "{base};id",
    "..",
]
API = "/api/v1/environments"


def _names(base: str) -> list[str]:
    return [h.format(base=base) for h in HOSTILE]


def _env_file(path: Path, name: str) -> Path:
    path.write_text(f"name: {json.dumps(name)}\nimage: python:3.11-slim\n", encoding="utf-8")
    return path


def _one_clean_line(text: str) -> None:
    lines = text.splitlines()
    assert len(lines) == 1, lines
    assert "\x00" not in text and "\u202e" not in text and "\u2028" not in text


@pytest.fixture
def local_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from envyard.registry.db import close_all

    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ENVYARD_DB_URL", f"sqlite:///{tmp_path / 'envyard.db'}")
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    monkeypatch.delenv("ENVYARD_TOKEN", raising=False)
    yield tmp_path
    close_all()


@pytest.mark.parametrize("name", _names("seed"), ids=repr)
def test_spec_file_with_a_hostile_name(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _env_file(tmp_path / "environment.yaml", name)
    assert run(["validate", "--quiet", "environment.yaml"]) == 1
    err = capsys.readouterr()
    output = err.out + err.err
    _one_clean_line(output)
    assert output.startswith("environment.yaml:1:7: name: ")
    assert "is not a valid name" in output


def test_cli_refuses_hostile_names_and_finds_nothing_for_them(
    local_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["env", "create", "-f", str(_env_file(local_home / "ok.yaml", "seed"))]) == 0
    capsys.readouterr()
    for name in _names("seed"):
        spec = _env_file(local_home / "bad.yaml", name)
        assert run(["env", "create", "-f", str(spec)]) == 1, name
        _one_clean_line(capsys.readouterr().err)
        for command in (["env", "get"], ["env", "resolve"], ["env", "versions"]):
            code = run([*command, "--", name])
            out = capsys.readouterr()
            assert code == 1, (command, name, out)
            _one_clean_line(out.err)
            assert "seed@1" not in out.out
        code = run(["env", "import-conda", "--name", name, "--image", "python:3", str(spec)])
        assert code in (1, 2), name
        capsys.readouterr()
    assert run(["env", "list", "--format", "json"]) == 0
    names = [i["name"] for i in json.loads(capsys.readouterr().out)["items"]]
    assert names == ["seed"]


def test_sdk_refuses_hostile_names(local_home: Path) -> None:
    with Client.from_settings() as client:
        client.environments.create({"name": "seed", "image": "python:3.11-slim"})
        for name in _names("seed"):
            with pytest.raises(SpecError):
                client.environments.create({"name": name, "image": "python:3.11-slim"})
            with pytest.raises((NotFoundError, SpecError)):
                client.environments.get(name)
            with pytest.raises((NotFoundError, SpecError)):
                client.environments.update(name, {"description": "x"})
        assert [r.name for r in client.environments.list().items] == ["seed"]


@pytest.fixture
def http(sqlite_server: EnvyardServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sqlite_server.url, timeout=30, trust_env=False) as client:
        yield client


def test_rest_refuses_hostile_names(http: httpx.Client, sqlite_server: EnvyardServer) -> None:
    auth = {"Authorization": f"Bearer {sqlite_server.tokens['write']}"}
    base = unique_name("seed")
    spec = {"name": base, "image": "python:3.11-slim"}
    assert http.post(API, json=spec, headers=auth).status_code == 201
    for name in _names(base):
        created = http.post(API, json={**spec, "name": name}, headers=auth)
        assert created.status_code == 422, (name, created.text)
        assert "is not a valid name" in created.json()["detail"]
        got = http.get(f"{API}/{quote(name, safe='')}")
        assert got.status_code in (404, 422), (name, got.status_code, got.text)
        assert base + "@1" not in got.text
        put = http.put(f"{API}/{quote(name, safe='')}", json={**spec, "name": name}, headers=auth)
        assert put.status_code in (404, 405, 422), (name, put.status_code)
    assert http.get(f"{API}/{base}%0A").status_code == 404
    assert http.get(f"{API}/{base}").json()["ref"] == f"{base}@1"


def test_sdk_over_http_never_reaches_another_resource(sqlite_server: EnvyardServer) -> None:
    base = unique_name("seed")
    with Client(sqlite_server.url, sqlite_server.tokens["write"]) as client:
        client.environments.create({"name": base, "image": "python:3.11-slim"})
        for name in [*_names(base), ".", "a/..", "%2e%2e"]:
            with pytest.raises((NotFoundError, SpecError)):
                client.environments.get(name)
            with pytest.raises((NotFoundError, SpecError)):
                client.environments.versions(name)
            with pytest.raises((NotFoundError, SpecError)):
                client.environments.update(name, {"description": "x"})
        assert client.environments.get(base).ref == f"{base}@1"


def test_a_typed_path_cannot_forge_a_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["validate", "nope\nerror: all good.yaml"]) == 1  # a path that does not exist
    out = capsys.readouterr().out.splitlines()
    assert out == ["nope\\nerror: all good.yaml: file does not exist (hint: check the path)"]


def test_a_group_run_alone_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["env"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Usage: envyard env [OPTIONS] COMMAND [ARGS]...\n")
    assert "\\n" not in err  # help text, not one escaped error line
