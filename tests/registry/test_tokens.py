"""API tokens: stored hashed, scoped, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from envyard.errors import NotFoundError, SpecError
from envyard.registry.db import Database
from envyard.registry.records import scope_allows
from envyard.registry.tokens import TokenStore


def test_tokens_are_stored_hashed_and_authenticate(metastore_url: str) -> None:
    db = Database.open(metastore_url)
    tokens = TokenStore(db)
    record, token = tokens.create("ci", "write", by="alice")
    assert token.startswith("eyd_") and len(token) > 40
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored
    found = tokens.authenticate(token)
    assert found is not None and (found.name, found.scope) == ("ci", "write")
    assert tokens.authenticate(token + "x") is None
    assert tokens.authenticate("nonsense") is None
    assert [t.id for t in tokens.list()] == [record.id]


def test_revoke_by_id_or_name(metastore_url: str) -> None:
    tokens = TokenStore(Database.open(metastore_url))
    first, token1 = tokens.create("ci", "read")
    _, token2 = tokens.create("ci", "admin")
    assert [r.id for r in tokens.revoke(first.id)] == [first.id]
    assert tokens.authenticate(token1) is None
    assert tokens.authenticate(token2) is not None
    assert len(tokens.revoke("ci")) == 1
    assert tokens.authenticate(token2) is None
    assert tokens.list() == []
    assert len(tokens.list(include_revoked=True)) == 2
    with pytest.raises(NotFoundError):
        tokens.revoke("ci")


def test_bad_scope_or_name(metastore_url: str) -> None:
    tokens = TokenStore(Database.open(metastore_url))
    with pytest.raises(SpecError, match="unknown scope"):
        tokens.create("x", "root")
    with pytest.raises(SpecError, match="is not a valid token name"):
        tokens.create("  ", "read")
    with pytest.raises(SpecError, match="is not a valid token name"):
        tokens.create("ci\nforged", "read")
    assert tokens.list() == []


@pytest.mark.parametrize(
    ("granted", "needed", "allowed"),
    [("read", "read", True), ("read", "write", False), ("write", "read", True),
     ("write", "admin", False), ("admin", "write", True)],
)  # fmt: skip
def test_scopes_are_ordered(granted: str, needed: str, allowed: bool) -> None:
    assert scope_allows(granted, needed) is allowed
