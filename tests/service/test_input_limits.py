"""Queries no metastore can hold are 422 with the JSON error shape, never a 500."""

from __future__ import annotations

import httpx
import pytest

from envyard.service.testing import EnvyardServer


@pytest.mark.parametrize("kind", ["environments", "prerequisites"])
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=99999999999999999999", "offset"),
        ("offset=9223372036854775808", "offset"),
        ("prefix=a%00", "prefix"),
        ("tag=k%3Dv%00x", "tag[0]"),
    ],
)
def test_list_queries_out_of_range_are_422(
    sqlite_server: EnvyardServer, kind: str, query: str, field: str
) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=30, trust_env=False) as http:
        got = http.get(f"/api/v1/{kind}?{query}")
        assert got.status_code == 422, got.text
        assert got.json()["errors"][0]["field"] == field
        assert http.get(f"/api/v1/{kind}?offset=9223372036854775807").json()["items"] == []
