"""`envyard token`: create (token alone on the last line), list, revoke; local and via --url."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from envyard.cli.main import run
from envyard.service.testing import EnvyardServer, metastore_url, sqlite_server

__all__ = ["metastore_url", "sqlite_server"]


def envyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_list_revoke_locally(metastore_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = envyard(capsys, "token", "create", "--name", "ci", "--scope", "write")
    assert code == 0
    token = out.splitlines()[-1]
    assert token.startswith("eyd_") and " " not in token
    token_id = token.split("_")[1]
    code, out, _ = envyard(capsys, "token", "list")
    assert token not in out
    assert out.splitlines()[1].split()[:3] == [token_id, "ci", "write"]
    code, out, _ = envyard(capsys, "token", "revoke", "ci")
    assert (code, out.strip()) == (0, f"revoked {token_id} (ci, write)")
    code, _, err = envyard(capsys, "token", "list")
    assert "no tokens" in err
    code, _, err = envyard(capsys, "token", "revoke", "ci")
    assert (code, "no active token" in err) == (1, True)
    code, _, err = envyard(capsys, "token", "create", "--name", "x", "--scope", "root")
    assert code == 2


def test_tokens_work_against_the_server(
    sqlite_server: EnvyardServer, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path))
    url = ["--url", sqlite_server.url]
    code, _, err = envyard(
        capsys, "token", "create", "--name", "x", *url, "--token", sqlite_server.tokens["write"]
    )
    assert (code, "this needs 'admin'" in err) == (1, True)
    code, out, _ = envyard(
        capsys, "token", "create", "--name", "deployer", "--scope", "write", *url,
        "--token", sqlite_server.tokens["admin"],
    )  # fmt: skip
    assert code == 0
    token = out.splitlines()[-1]
    created = httpx.post(
        f"{sqlite_server.url}/api/v1/environments",
        json={"name": token.split("_")[1] + "-env", "image": "python:3.11"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201


def test_create_as_the_footer_and_hints_say(
    metastore_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`envyard token create --scope write` (the UI footer, the 401 hints) runs as written."""
    monkeypatch.setattr("getpass.getuser", lambda: "newcomer")
    code, out, _ = envyard(capsys, "token", "create", "--scope", "write")
    assert code == 0
    assert out.splitlines()[0].startswith("created token newcomer (id ")
    assert out.splitlines()[-1].startswith("eyd_")
