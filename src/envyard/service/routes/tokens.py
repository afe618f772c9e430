"""``/api/v1/tokens``: token management over HTTP, for ``admin`` tokens only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from envyard.registry.records import Scope, TokenRecord
from envyard.service.deps import Admin, RegistryDep

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    scope: Scope = "read"


class TokenCreated(BaseModel):
    record: TokenRecord
    token: str


@router.post("", status_code=201)
def create_token(body: TokenCreate, registry: RegistryDep, who: Admin) -> TokenCreated:
    """The plain token is in this response only; it is stored as a sha256 hash."""
    record, token = registry.tokens.create(body.name, body.scope, by=who.actor)
    return TokenCreated(record=record, token=token)


@router.get("")
def list_tokens(
    registry: RegistryDep, _who: Admin, include_revoked: Annotated[bool, Query()] = False
) -> list[TokenRecord]:
    return registry.tokens.list(include_revoked=include_revoked)


@router.post("/{id_or_name}/revoke")
def revoke_token(id_or_name: str, registry: RegistryDep, _who: Admin) -> list[TokenRecord]:
    return registry.tokens.revoke(id_or_name)
