"""Deprecation edits the spec (comments kept, atomically); archive --due uses the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from envyard.assets.release.deprecate import archive_due, deprecate_asset
from envyard.cli.main import run
from envyard.errors import ConfigError, NotFoundError

from .conftest import env_asset


def test_deprecate_keeps_comments_and_is_idempotent(tmp_path: Path) -> None:
    old = env_asset(tmp_path, "old-debian11")
    env_asset(tmp_path, "new-debian11")
    spec = old / "spec.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + "  GPU: Cuda11  # keep me\n", "utf-8")
    deprecate_asset(tmp_path, "old-debian11", "new-debian11", "2027-01-31")
    text = spec.read_text(encoding="utf-8")
    assert text.startswith("# the platform spec\n")
    assert "GPU: Cuda11  # keep me" in text
    assert (
        "description: >-\n  DEPRECATED: Please use new-debian11 instead. An environment for "
        "tests.\n" in text
    )
    assert "  Deprecated: ''\n" in text or '  Deprecated: ""\n' in text
    assert "  DeleteOn: '2027-01-31'" in text or "DeleteOn: 2027-01-31" in text
    deprecate_asset(tmp_path, "old-debian11", "new-debian11", "2027-02-28")
    again = spec.read_text(encoding="utf-8")
    assert again.count("DEPRECATED") == 1
    assert "2027-02-28" in again and "2027-01-31" not in again


def test_bad_input_changes_nothing(tmp_path: Path) -> None:
    old = env_asset(tmp_path, "old-debian11")
    before = (old / "spec.yaml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="not a date"):
        deprecate_asset(tmp_path, "old-debian11", "old-debian11", "31/01/2027")
    with pytest.raises(NotFoundError, match="no asset named 'nope'"):
        deprecate_asset(tmp_path, "nope", "old-debian11", "2027-01-31")
    with pytest.raises(ConfigError, match="cannot replace itself"):
        deprecate_asset(tmp_path, "old-debian11", "old-debian11", "2027-01-31")
    assert (old / "spec.yaml").read_text(encoding="utf-8") == before


def test_cli_deprecate_dry_run_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = env_asset(tmp_path, "old-debian11")
    env_asset(tmp_path, "new-debian11")
    before = (old / "spec.yaml").read_text(encoding="utf-8")
    argv = ["asset", "deprecate", "old-debian11", "--replacement", "new-debian11"]
    argv += ["--delete-on", "2027-01-31", "--repo", str(tmp_path)]
    assert run([*argv, "--dry-run"]) == 0
    assert "DEPRECATED: Please use new-debian11 instead." in capsys.readouterr().out
    assert (old / "spec.yaml").read_text(encoding="utf-8") == before
    assert run(argv) == 0
    assert "Deprecated" in (old / "spec.yaml").read_text(encoding="utf-8")


def test_archive_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    from envyard.client import Client

    client = Client()
    for name, tags in (
        ("due", {"Deprecated": "", "DeleteOn": "2026-01-01"}),
        ("later", {"Deprecated": "", "DeleteOn": "2099-01-01"}),
        ("plain", {}),
    ):
        client.environments.create(
            {
                "name": name,
                "version": "1",
                "image": f"localhost:5000/azureml/curated/{name}:1",
                "tags": tags,
            }
        )
    client.environments.update("due", {"version": "2", "image": "localhost:5000/due:2"})
    assert archive_due(client, today=dt.date(2026, 6, 1), dry_run=True) == ["due@1", "due@2"]
    assert client.environments.get("due").state != "archived"
    assert archive_due(client, today=dt.date(2026, 6, 1)) == ["due@1", "due@2"]
    assert client.environments.get("due@1").state == "archived"
    assert client.environments.get("later").state == "active"
    assert archive_due(client, today=dt.date(2026, 6, 1)) == []  # archived ones are not listed
    client.close()


def test_cli_archive_counts_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 16, point 13: two versions archived are reported as two, of one environment."""
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    from envyard.client import Client

    with Client() as client:
        client.environments.create(
            {"name": "old", "version": "1", "image": "localhost:5000/old:1",
             "tags": {"Deprecated": "", "DeleteOn": "2026-01-01"}}
        )  # fmt: skip
        client.environments.update("old", {"version": "2", "image": "localhost:5000/old:2"})
    assert run(["asset", "archive", "--due", "--today", "2026-06-01"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "archived 2 version(s) of 1 environment(s): old@1, old@2"


def test_a_replacement_outside_the_repository_warns(tmp_path: Path) -> None:
    env_asset(tmp_path, "old-debian11")
    done = deprecate_asset(tmp_path, "old-debian11", "elsewhere", "2027-01-31")
    assert done.warning is not None and "'elsewhere' is not an asset" in done.warning
    assert "Please use elsewhere instead." in done.text
