"""API tokens: ``eyd_<id>_<secret>``, stored as the sha256 of the whole token, with one scope.

Scopes are ordered: ``admin`` (manage tokens) includes ``write`` (create, update, change
state, delete) which includes ``read``. The plain token is shown once, when it is created.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import secrets

from sqlalchemy import select

from envyard.errors import NotFoundError, SpecError
from envyard.names import check_name
from envyard.registry.db import Database
from envyard.registry.models import ApiToken, utcnow
from envyard.registry.records import SCOPES, TokenRecord

PREFIX = "eyd_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _record(row: ApiToken) -> TokenRecord:
    return TokenRecord.model_validate(
        {
            "id": row.id,
            "name": row.name,
            "scope": row.scope,
            "created_by": row.created_by,
            "created_at": row.created_at,
            "revoked_at": row.revoked_at,
        }
    )


class TokenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, name: str, scope: str = "read", *, by: str | None = None
    ) -> tuple[TokenRecord, str]:
        """A new token: its record and the plain token (shown once, never stored)."""
        if scope not in SCOPES:
            raise SpecError.at(
                "<input>",
                f"unknown scope '{scope}'",
                field="scope",
                hint="one of read, write, admin",
            )
        check_name(name, "token name")  # it is shown as `token:NAME` in every record it writes
        token_id = secrets.token_hex(4)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.db.write() as session:
            row = ApiToken(
                id=token_id, name=name, scope=scope, token_hash=hash_token(token),
                created_by=by, created_at=utcnow(),
            )  # fmt: skip
            session.add(row)
            session.flush()
            return _record(row), token

    def list(self, *, include_revoked: bool = False) -> builtins.list[TokenRecord]:
        with self.db.read() as session:
            rows = session.scalars(select(ApiToken).order_by(ApiToken.created_at)).all()
            return [_record(r) for r in rows if include_revoked or r.revoked_at is None]

    def revoke(self, id_or_name: str) -> builtins.list[TokenRecord]:
        """Revoke the token with this id, or every active token with this name."""
        with self.db.write() as session:
            rows = session.scalars(
                select(ApiToken).where(
                    ((ApiToken.id == id_or_name) | (ApiToken.name == id_or_name))
                    & ApiToken.revoked_at.is_(None)
                )
            ).all()
            if not rows:
                raise NotFoundError(
                    f"no active token with id or name '{id_or_name}'",
                    hint="see `envyard token list`",
                )
            now = utcnow()
            for row in rows:
                row.revoked_at = now
            return [_record(r) for r in rows]

    def authenticate(self, token: str) -> TokenRecord | None:
        """The active token's record, or None when it is unknown or revoked."""
        if not token.startswith(PREFIX):
            return None
        digest = hash_token(token)
        with self.db.read() as session:
            row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
            if row is None or row.revoked_at is not None:
                return None
            if not hmac.compare_digest(row.token_hash, digest):  # pragma: no cover - same value
                return None
            return _record(row)
