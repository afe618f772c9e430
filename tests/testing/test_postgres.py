"""envyard.testing.postgres: an ephemeral PostgreSQL cluster on 127.0.0.1."""

from __future__ import annotations

import psycopg
import sqlalchemy

from envyard.testing.ports import LOCALHOST
from envyard.testing.postgres import PostgresServer


def test_postgres_url_connects_and_selects(
    postgres_url: str, postgres_server: PostgresServer
) -> None:
    assert postgres_url == (
        f"postgresql+psycopg://postgres@{LOCALHOST}:{postgres_server.port}/envyard_test"
    )
    with psycopg.connect(postgres_url.replace("+psycopg", "", 1)) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        assert conn.execute("select current_database()").fetchone() == ("envyard_test",)


def test_url_works_with_sqlalchemy(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("create table if not exists probe (id int primary key)"))
            conn.execute(sqlalchemy.text("insert into probe values (1) on conflict do nothing"))
            assert conn.execute(sqlalchemy.text("select count(*) from probe")).scalar_one() == 1
    finally:
        engine.dispose()


def test_create_another_database(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("envyard_other")
    with psycopg.connect(url.replace("+psycopg", "", 1)) as conn:
        assert conn.execute("select current_database()").fetchone() == ("envyard_other",)
