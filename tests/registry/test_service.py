"""Lifecycle rules of the registry service, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from envyard.errors import ConflictError, NotFoundError, SpecError
from envyard.registry.errors import PreconditionFailedError
from envyard.registry.records import EnvironmentRecord
from envyard.registry.store import Registry

BODY = {
    "name": "team",
    "description": "team default",
    "image": "python:3.11-slim",
    "kernel": {"dependencies": ["python=3.11", {"pip": ["six==1.16.0"]}]},
    "tags": {"GPU": "", "Python": "3.11"},
}


@pytest.fixture
def registry(metastore_url: str) -> Registry:
    return Registry.open(metastore_url)


def test_create_then_get_by_name_and_exact_version(registry: Registry) -> None:
    envs = registry.environments
    record = envs.create(BODY, by="alice")
    assert isinstance(record, EnvironmentRecord)
    assert (record.ref, record.state, record.created_by) == ("team@1", "active", "alice")
    assert record.content_hash.startswith("sha256:")
    assert envs.get("team") == record
    assert envs.get("team@1") == record
    assert record.spec().kernel is not None
    assert record.created_at.tzinfo is not None


def test_names_are_unique(registry: Registry) -> None:
    registry.environments.create(BODY)
    with pytest.raises(ConflictError, match="already exists"):
        registry.environments.create({**BODY, "description": "other"})
    assert registry.environments.list().total == 1


def test_an_archived_name_is_taken_and_the_hint_says_what_helps(registry: Registry) -> None:
    """Its hint used to suggest `env update`, which refuses archived names."""
    registry.environments.create(BODY)
    registry.environments.archive("team@1")
    with pytest.raises(ConflictError, match="already exists and is archived") as info:
        registry.environments.create({**BODY, "description": "again"})
    assert info.value.hint is not None and "env delete team" in info.value.hint
    assert "update" not in info.value.hint


def test_update_adds_immutable_versions(registry: Registry) -> None:
    envs = registry.environments
    first = envs.create(BODY)
    second = envs.update("team", {"description": "changed"}, replace=False, by="bob")
    assert second.ref == "team@2"
    assert second.description == "changed"
    assert second.content_hash == first.content_hash  # description is not content
    third = envs.update("team", {**BODY, "image": "python:3.12-slim"})
    assert third.ref == "team@3"
    assert third.content_hash != first.content_hash
    assert envs.get("team@1").description == "team default"  # unchanged
    assert [r.version for r in envs.versions("team")] == ["3", "2", "1"]
    assert envs.get("team").ref == "team@3"


def test_update_refuses_duplicate_version_identical_body_and_wrong_name(
    registry: Registry,
) -> None:
    envs = registry.environments
    envs.create({**BODY, "version": "1.0"})
    with pytest.raises(ConflictError, match="versions are immutable"):
        envs.update("team", {**BODY, "version": "1.0", "description": "x"})
    with pytest.raises(ConflictError, match="nothing changed"):
        envs.update("team", BODY)
    with pytest.raises(SpecError, match="the body names 'other'"):
        envs.update("team", {**BODY, "name": "other"})
    with pytest.raises(NotFoundError):
        envs.update("nope", BODY)
    assert [r.version for r in envs.versions("team")] == ["1.0"]


def test_full_update_may_leave_the_name_out(registry: Registry) -> None:
    registry.environments.create(BODY)
    body = {k: v for k, v in BODY.items() if k != "name"}
    assert registry.environments.update("team", {**body, "image": "python:3.12"}).ref == "team@2"


def test_merge_update_removes_keys_set_to_none(registry: Registry) -> None:
    envs = registry.environments
    envs.create(BODY)
    record = envs.update("team", {"kernel": None, "tags": {"CPU": ""}}, replace=False)
    assert record.kernel is None
    assert record.tags == {"CPU": ""}


def test_invalid_bodies_give_field_paths_and_change_nothing(registry: Registry) -> None:
    envs = registry.environments
    with pytest.raises(SpecError) as caught:
        envs.create({"name": "bad name!", "imgae": "x"})
    fields = {d.field for d in caught.value.diagnostics}
    assert {"name", "imgae"} <= fields
    with pytest.raises(SpecError, match="expected a mapping"):
        envs.create(["not", "a", "mapping"])
    assert envs.list().total == 0


def test_list_filters_and_pagination(registry: Registry) -> None:
    envs = registry.environments
    for index in range(5):
        tags = {"GPU": ""} if index % 2 == 0 else {"CPU": ""}
        envs.create({"name": f"env-{index}", "image": "python:3.11", "tags": {**tags, "n": index}})
    envs.create({"name": "other", "image": "python:3.11"})
    page = envs.list(limit=2, offset=1)
    assert [r.name for r in page.items] == ["env-1", "env-2"]
    assert page.total == 6
    assert [r.name for r in envs.list(tag="GPU").items] == ["env-0", "env-2", "env-4"]
    assert [r.name for r in envs.list(tag=["GPU", "n=2"]).items] == ["env-2"]
    assert [r.name for r in envs.list(prefix="env-").items] == [f"env-{i}" for i in range(5)]
    assert envs.list(prefix="env_").total == 0  # '_' is not a LIKE wildcard here
    with pytest.raises(SpecError, match="unknown state"):
        envs.list(state="gone")


def test_list_shows_one_row_per_name(registry: Registry) -> None:
    envs = registry.environments
    envs.create(BODY)
    envs.update("team", {"description": "2"}, replace=False)
    envs.update("team", {"description": "3"}, replace=False)
    page = envs.list()
    assert [r.ref for r in page.items] == ["team@3"]
    assert page.total == 1


def test_lifecycle_deprecate_archive_delete(registry: Registry) -> None:
    envs = registry.environments
    envs.create(BODY)
    envs.update("team", {"description": "v2"}, replace=False)
    envs.create({"name": "team-next", "image": "python:3.12"})

    old = envs.deprecate("team@2", replaced_by="team-next", delete_on="2030-01-01")
    assert (old.state, old.replaced_by, old.delete_on) == (
        "deprecated",
        "team-next",
        dt.date(2030, 1, 1),
    )
    assert envs.get("team").ref == "team@1"  # newest *active*
    envs.deprecate("team")
    assert envs.get("team").ref == "team@2"  # every version deprecated: newest deprecated
    assert envs.list(state="deprecated").total == 1

    archived = envs.archive("team")
    assert archived.state == "archived"
    assert [r.name for r in envs.list().items] == ["team-next"]  # hidden from lists
    assert [r.name for r in envs.list(state="archived").items] == ["team"]
    assert envs.versions("team") == []
    assert len(envs.versions("team", include_archived=True)) == 2
    assert envs.get("team@1").state == "archived"  # exact versions still resolve
    with pytest.raises(NotFoundError, match="archived"):
        envs.get("team")
    with pytest.raises(ConflictError, match="archived"):
        envs.update("team", {"description": "again"}, replace=False)
    with pytest.raises(ConflictError, match="archived"):
        envs.deprecate("team@1")

    envs.delete("team@1")
    assert [r.version for r in envs.versions("team", include_archived=True)] == ["2"]
    envs.delete("team")
    with pytest.raises(NotFoundError):
        envs.get("team@2")


def test_deprecate_checks_its_replacement(registry: Registry) -> None:
    envs = registry.environments
    envs.create(BODY)
    with pytest.raises(NotFoundError):
        envs.deprecate("team", replaced_by="missing")
    with pytest.raises(SpecError, match="being deprecated"):
        envs.deprecate("team@1", replaced_by="team@1")
    with pytest.raises(SpecError, match="not a date"):
        envs.deprecate("team", delete_on="tomorrow")
    assert envs.get("team").state == "active"


def test_if_match_refuses_stale_writes(registry: Registry) -> None:
    envs = registry.environments
    record = envs.create(BODY)
    newer = envs.update("team", {"description": "a"}, replace=False, if_match=record.etag)
    assert newer.etag != record.etag
    with pytest.raises(PreconditionFailedError, match="changed since you read it"):
        envs.update("team", {"description": "b"}, replace=False, if_match=record.etag)
    with pytest.raises(PreconditionFailedError):
        envs.deprecate("team", if_match=record.etag)
    with pytest.raises(PreconditionFailedError):
        envs.delete("team", if_match=f'"{record.etag}"')
    assert envs.get("team").ref == "team@2"
    envs.archive("team", if_match=f'W/"{envs.get("team").etag}"')


def test_concurrent_updates_lose_nothing(registry: Registry) -> None:
    envs = registry.environments
    envs.create(BODY)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            envs.update("team", {"description": f"writer {n}"}, replace=False)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = envs.versions("team")
    assert len(versions) == 9
    assert {r.description for r in versions[:-1]} == {f"writer {n}" for n in range(8)}


def test_prerequisites_have_the_same_crud(registry: Registry) -> None:
    prereqs = registry.prerequisites
    body = {
        "name": "mnist",
        "type": "data",
        "plugin": "data",
        "uri": ["s3://b/mnist"],
        "mount": "/d",
    }
    record = prereqs.create(body)
    assert record.ref == "mnist@1"
    assert record.spec().parameters == {"mount": "/d"}
    assert prereqs.update("mnist", {"mount": "/data"}, replace=False).spec().parameters == {
        "mount": "/data"
    }
    assert registry.environments.list().total == 0  # kinds are separate
    prereqs.deprecate("mnist@1", replaced_by="mnist@2")
    prereqs.archive("mnist")
    assert prereqs.list().total == 0
    assert prereqs.get("mnist@1").spec().uri == ["s3://b/mnist"]
    with pytest.raises(SpecError) as caught:
        prereqs.create({"name": "x", "type": "wrong"})
    assert caught.value.diagnostics[0].field == "type"
