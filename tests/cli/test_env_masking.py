"""`env get | export | lock | list | versions | diff` mask URL credentials; `update -f` of an
exported file restores them (the local metastore, SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.registry.store import Registry
from envyard.service.testing import metastore_url
from envyard.testing.conda_channel import (
    CondaChannel,
    conda_channel,
    served_with_credentials,
)
from envyard.testing.lock_index import locking_index
from envyard.testing.plugin import unique_name
from envyard.testing.pypi import PypiIndex
from envyard.yamlio import dump

__all__ = ["conda_channel", "locking_index", "metastore_url"]


def envyard(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_outputs_mask_credentials_and_update_restores_them(
    *,
    metastore_url: str,
    conda_channel: CondaChannel,
    locking_index: PypiIndex,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    channel, index = served_with_credentials(conda_channel, locking_index.url, monkeypatch)
    name = unique_name("cred")
    spec = {
        "name": name,
        "image": "python:3.11-slim",
        "kernel": {
            "channels": [channel],
            "dependencies": ["tinyconda=1.0", {"pip": [f"--index-url {index}", "six"]}],
        },
    }
    (tmp_path / "env.yaml").write_text(dump(spec))
    assert envyard(capsys, "env", "create", "-f", str(tmp_path / "env.yaml"))[0] == 0

    exported = tmp_path / "exported.yaml"
    commands = [
        ["env", "get", name],
        ["env", "get", name, "--format", "json"],
        ["env", "export", name],
        ["env", "export", name, "-o", str(exported)],
        ["env", "lock", name],
        ["env", "lock", name, "--format", "json"],
        ["env", "lock", name, "--format", "yaml"],
        ["env", "list", "--prefix", name, "--format", "json"],
        ["env", "versions", name, "--format", "yaml"],
    ]
    for argv in commands:
        code, out, err = envyard(capsys, *argv)
        assert code == 0, (argv, err)
        assert "s3cretpw" not in out + err and "pw123" not in out + err, argv
    assert "alice:***@" in exported.read_text() and "bob:***@" in exported.read_text()

    # the exported file, edited and written back: the stored credentials come back
    exported.write_text(exported.read_text() + "description: edited as a file\n")
    code, _, err = envyard(capsys, "env", "update", "-f", str(exported))
    assert code == 0, err
    record = Registry.open(metastore_url).environments.get(f"{name}@2")
    assert record.kernel is not None
    assert record.model_dump(mode="json")["kernel"]["channels"] == [channel]
    code, out, err = envyard(capsys, "env", "diff", f"{name}@1", f"{name}@2")
    assert code == 1 and "edited as a file" in out
    assert "s3cretpw" not in out + err
