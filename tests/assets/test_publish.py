"""Released environments are published to the registry: in-process (temp ENVYARD_HOME) and
over HTTP to a real Envyard server."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.release.apply import apply_release
from envyard.assets.release.deprecate import deprecate_asset
from envyard.assets.release.plan import plan_release
from envyard.assets.release.publish import RegistryPublisher
from envyard.cli.main import run
from envyard.errors import EnvyardError, NotFoundError
from envyard.service.testing import EnvyardServer, sqlite_server
from envyard.testing.git import GitRepo
from envyard.testing.plugin import unique_name

from .conftest import env_asset


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ENVYARD_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ENVYARD_DB_URL", raising=False)
    monkeypatch.delenv("ENVYARD_URL", raising=False)
    from envyard.client import Client

    with Client() as c:
        yield c


def _release(repo: GitRepo, client, **kw):  # type: ignore[no-untyped-def]
    settings = AssetSettings(publish_hostnames={"localhost:5000": "registry.example.com"})
    plan = plan_release(repo.path, "release", settings)
    publisher = RegistryPublisher(client, settings, str(repo.path))
    return apply_release(plan, settings, publisher=publisher, **kw)


def test_release_publishes_and_deprecation_follows(git_repo: GitRepo, client) -> None:  # type: ignore[no-untyped-def]
    env_asset(git_repo.path, "old-debian11", dockerfile="FROM busybox:1\n")
    env_asset(git_repo.path, "new-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("two")
    result = _release(git_repo, client)
    assert sorted(result.published) == ["new-debian11@1", "old-debian11@1"]
    record = client.environments.get("old-debian11@1")
    assert record.image == "registry.example.com/azureml/curated/old-debian11:1"
    assert record.description == "An environment for tests."
    assert record.tags == {"OS": "Ubuntu22.04", "Python": "3.11"}

    deprecate_asset(git_repo.path, "old-debian11", "new-debian11", "2027-01-31")
    git_repo.commit("deprecate old")
    result = _release(git_repo, client)
    assert result.published == ["old-debian11@2"]
    record = client.environments.get("old-debian11@2")
    assert record.state == "deprecated"
    assert record.replaced_by is not None and record.replaced_by.startswith("new-debian11")
    assert str(record.delete_on) == "2027-01-31"
    assert record.description.startswith("DEPRECATED: Please use new-debian11 instead.")


def test_a_deprecated_release_never_leaves_an_older_version_resolving_silently(
    git_repo: GitRepo,
    client,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 16, point 3: the name resolves to the deprecated newest version (with its
    warning), never to the older version 1 as if nothing happened; the CLI says so."""
    env_asset(git_repo.path, "old-debian11", dockerfile="FROM busybox:1\n")
    env_asset(git_repo.path, "new-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("two")
    assert run(["asset", "release", "--repo", str(git_repo.path), "--publish"]) == 0
    deprecate_asset(git_repo.path, "old-debian11", "new-debian11", "2027-01-31")
    git_repo.commit("deprecate old")
    capsys.readouterr()
    assert run(["asset", "release", "--repo", str(git_repo.path), "--publish"]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: old-debian11@2 is deprecated: its older active version(s) old-debian11@1" in err
    )
    resolved = client.environments.get("old-debian11")
    assert (str(resolved.version), resolved.state) == ("2", "deprecated")
    assert client.environments.get("old-debian11@1").state == "deprecated"
    assert {v.state for v in client.environments.versions("old-debian11")} == {"deprecated"}


def test_publish_is_rolled_back_when_the_refs_do_not_move(git_repo: GitRepo, client) -> None:  # type: ignore[no-untyped-def]
    env_asset(git_repo.path, "solo-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("one")

    def fail(step: str) -> None:
        if step == "refs":
            git_repo.run("tag", "environment/solo-debian11/1")  # the tag appears meanwhile

    with pytest.raises(EnvyardError, match="update-ref failed"):
        _release(git_repo, client, on_step=fail)
    with pytest.raises(NotFoundError):
        client.environments.get("solo-debian11")
    assert git_repo.run("branch", "--list", "release") == ""


def test_cli_release_with_publish(
    git_repo: GitRepo,
    client,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    env_asset(git_repo.path, "cli-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("one")
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    assert run([*argv, "--publish"]) == 0
    assert "published: cli-debian11@1" in capsys.readouterr().out
    assert client.environments.get("cli-debian11").image == (
        "localhost:5000/azureml/curated/cli-debian11:1"
    )


def test_cli_release_publishes_over_http(
    git_repo: GitRepo,
    sqlite_server: EnvyardServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from envyard.client import Client

    name = unique_name("http").replace("-", "") + "-debian11"
    env_asset(git_repo.path, name, dockerfile="FROM busybox:1\n")
    git_repo.commit("one")
    argv = ["asset", "release", "--repo", str(git_repo.path), "--release-branch", "release"]
    argv += ["--registry", sqlite_server.url]
    before = git_repo.run("for-each-ref")
    # a read-only token: publishing is refused, so nothing is released
    assert run([*argv, "--token", sqlite_server.tokens["read"]]) == 1
    assert "error:" in capsys.readouterr().err
    assert git_repo.run("for-each-ref") == before
    assert run([*argv, "--token", sqlite_server.tokens["write"]]) == 0
    assert f"published: {name}@1" in capsys.readouterr().out
    with Client(sqlite_server.url) as client:
        assert client.environments.get(name).image == f"localhost:5000/azureml/curated/{name}:1"


__all__ = ["sqlite_server"]  # the fixture, imported for this module
