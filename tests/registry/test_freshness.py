"""Change stamps move with every commit, from any process, and only then (SQLite)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Hashable
from pathlib import Path

import psycopg
from sqlalchemy import make_url

from envyard.registry.db import Database
from envyard.registry.freshness import PostgresSnapshot, SQLiteDataVersion, freshness_of
from envyard.registry.store import Registry

COMMIT_ELSEWHERE = """
import sys
from envyard.registry.store import Registry
Registry.open(sys.argv[1]).environments.create({"name": sys.argv[2], "image": "python:3.11"})
"""


def commit_in_another_process(db_url: str, name: str) -> None:
    subprocess.run([sys.executable, "-c", COMMIT_ELSEWHERE, db_url, name], check=True)


def test_stamps_change_with_every_commit(metastore_url: str) -> None:
    db = Database.open(metastore_url)
    freshness = freshness_of(db)
    assert isinstance(freshness, SQLiteDataVersion | PostgresSnapshot)

    async def scenario() -> list[Hashable | None]:
        stamps = [await freshness.stamp()]
        commit_in_another_process(metastore_url, "one")
        stamps.append(await freshness.stamp())
        Registry.open(metastore_url).environments.create({"name": "two", "image": "x:1"})
        stamps.append(await freshness.stamp())
        if isinstance(freshness, PostgresSnapshot):
            await freshness.aclose()
        return stamps

    stamps = asyncio.run(scenario())
    assert None not in stamps
    assert len(set(stamps)) == 3


def test_sqlite_stamp_holds_while_nobody_commits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'envyard.db'}"
    Registry.open(url).environments.create({"name": "a", "image": "python:3.11"})
    freshness = freshness_of(Database.open(url))
    assert isinstance(freshness, SQLiteDataVersion)
    before = freshness.read()
    Registry.open(url).environments.get("a")  # reads commit nothing
    assert freshness.read() == before
    commit_in_another_process(url, "b")
    assert freshness.read() != before
    freshness.close()


def test_no_stamp_for_a_database_only_one_connection_sees() -> None:
    assert freshness_of(Database.open("sqlite://")) is None


def test_concurrent_callers_share_readings_and_survive_a_dropped_connection(
    postgres_url: str,
) -> None:
    freshness = freshness_of(Database.open(postgres_url))
    assert isinstance(freshness, PostgresSnapshot)
    url = make_url(postgres_url)

    async def scenario() -> None:
        stamps = await asyncio.gather(*(freshness.stamp() for _ in range(50)))
        assert None not in stamps
        assert len(set(stamps)) == 1  # nothing committed meanwhile
        with psycopg.connect(
            host=url.host, port=url.port, user=url.username, dbname=url.database, autocommit=True
        ) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        after = [await freshness.stamp() for _ in range(3)]
        assert after[-1] is not None  # reconnected
        await freshness.aclose()

    asyncio.run(scenario())
