"""The committed JSON Schemas under schemas/ are current, and accept the seed's aliases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envyard.spec.kinds import KINDS
from envyard.spec.schema import schema_for, schema_text

SCHEMAS = Path(__file__).parents[2] / "schemas"


@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_schema_is_current(kind: str) -> None:
    committed = SCHEMAS / f"{kind}.schema.json"
    assert committed.exists(), f"run `make schemas` to write {committed}"
    assert committed.read_text(encoding="utf-8") == schema_text(kind), "run `make schemas`"


def test_environment_schema_lists_aliases_and_forbids_unknown_keys() -> None:
    schema = schema_for("environment")
    props = schema["properties"]
    for alias in ("image", "docker-image", "dockerImage", "vm-image"):
        assert alias in props
    assert schema["additionalProperties"] is False
    assert "schema_" not in props
    json.dumps(schema)


def test_prerequisites_allow_free_parameters() -> None:
    schema = schema_for("job")
    assert schema["$defs"]["Prerequisite"]["additionalProperties"] is True
    assert schema["$defs"]["TaskRole"]["additionalProperties"] is False


def test_markdown_reference_is_current() -> None:
    from envyard.spec.reference import reference_markdown

    docs = Path(__file__).parents[2] / "docs" / "specs.md"
    assert docs.read_text(encoding="utf-8") == reference_markdown() + "\n", "run `make schemas`"
