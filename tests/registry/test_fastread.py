"""The hot read path: cached per revision (never stale), survives dropped connections."""

from __future__ import annotations

import psycopg
from sqlalchemy import make_url

from envyard.registry.store import Registry
from envyard.testing.plugin import unique_name


def test_cached_reads_follow_every_change(metastore_url: str) -> None:
    envs = Registry.open(metastore_url).environments
    envs.create({"name": "a", "image": "python:3.11"})
    first, body = envs.get_json("a")
    assert envs.get_json("a")[1] is body  # second read: served from the cache
    envs.deprecate("a")
    assert envs.get("a").state == "deprecated"
    envs.update("a", {"description": "v2"}, replace=False)
    assert envs.get("a").ref == "a@2"
    assert envs.get("a@1").state == "deprecated"
    envs.delete("a")
    envs.create({"name": "a", "image": "python:3.12"})  # same name again: new content
    again = envs.get("a")
    assert (again.ref, again.image, again.state) == ("a@1", "python:3.12", "active")
    assert again.etag != first.etag


def test_reads_survive_connections_dropped_by_the_server(postgres_url: str) -> None:
    envs = Registry.open(postgres_url).environments
    name = unique_name("dropped")
    envs.create({"name": name, "image": "python:3.11"})
    envs.get(name)  # a pooled connection now exists
    url = make_url(postgres_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert envs.get(name).ref == f"{name}@1"
