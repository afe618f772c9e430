"""What differs between the two kinds of registry object: environments and prerequisites.

Each kind validates a body (with the spec loader's located diagnostics), says which part of it
is hashed, which tags it has, builds its record from a stored row, and whether what readers
are shown has its URL credentials masked (environments: channels and pip indexes).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from envyard.errors import SpecError
from envyard.registry.masking import mask_text
from envyard.registry.records import EnvironmentRecord, PrerequisiteRecord
from envyard.registry.refs import check_name, check_text, check_version
from envyard.spec.diagnose import diagnostics_from
from envyard.spec.environment import Environment
from envyard.spec.job import Prerequisite
from envyard.spec.loader import load_data
from envyard.yamlio import Document

KindName = Literal["environment", "prerequisite"]
VersionedRecord = EnvironmentRecord | PrerequisiteRecord


@dataclass(frozen=True)
class Validated:
    """A checked body: its name, optional explicit version and canonical document."""

    name: str
    version: str | None
    document: dict[str, Any]  # without name and version


@dataclass(frozen=True)
class Kind:
    name: KindName
    plural: str
    unhashed_keys: tuple[str, ...]
    validate: Callable[[Any, str], Validated]
    tags: Callable[[Mapping[str, Any]], dict[str, str]]
    build: Callable[[dict[str, Any]], VersionedRecord]
    masked: bool = False
    """Whether what readers are shown has URL credentials masked (:mod:`.masking`)."""

    def shown(self, text: str) -> str:
        """*text* (a record's JSON, a spec's YAML) as a reader may see it."""
        return mask_text(text) if self.masked else text

    def content_hash(self, document: Mapping[str, Any]) -> str:
        """sha256 of what runs, in canonical JSON (descriptive keys such as tags left out)."""
        content = {k: v for k, v in document.items() if k not in self.unhashed_keys}
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _as_data(body: Any) -> Any:
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return body


def _split(model: BaseModel, file: str) -> Validated:
    data = model.model_dump(mode="json", exclude_none=True, exclude={"schema_"})
    check_text(data, "", file)
    name = check_name(str(data.pop("name")))
    version = data.pop("version", None)
    return Validated(name, check_version(str(version)) if version is not None else None, data)


def _not_a_mapping(body: Any, file: str) -> SpecError:
    found = "a list" if isinstance(body, list) else type(body).__name__
    return SpecError.at(
        file,
        f"expected a mapping of fields, found {found}",
        line=1,
        col=1,
        hint="send a JSON object",
    )


def _unlocated(exc: SpecError) -> SpecError:
    """Parsed bodies (JSON, dicts) have no lines: report field paths without 1:1 positions."""
    return SpecError([dataclasses.replace(d, line=0, col=0) for d in exc.diagnostics])


def validate_environment(body: Any, file: str = "<input>") -> Validated:
    data = _as_data(body)
    if not isinstance(data, dict):
        raise _not_a_mapping(data, file)
    try:
        model = load_data(data, "environment", file=file).model
    except SpecError as exc:
        raise _unlocated(exc) from None
    assert isinstance(model, Environment)  # noqa: S101 - the kind's model
    return _split(model, file)


def validate_prerequisite(body: Any, file: str = "<input>") -> Validated:
    data = _as_data(body)
    if not isinstance(data, dict):
        raise _not_a_mapping(data, file)
    doc = Document(file=file, data=data)
    try:
        model = Prerequisite.model_validate(data)
    except ValidationError as exc:
        raise _unlocated(SpecError(diagnostics_from(exc, Prerequisite, doc))) from None
    return _split(model, file)


def _env_tags(document: Mapping[str, Any]) -> dict[str, str]:
    return dict(document.get("tags") or {})


def _build_environment(row: dict[str, Any]) -> EnvironmentRecord:
    doc = row.pop("document")
    return EnvironmentRecord.model_validate(
        {
            **row,
            "description": doc.get("description", ""),
            "image": doc.get("image"),
            "vm_image": doc.get("vm_image"),
            "kernel": doc.get("kernel"),
            "tags": doc.get("tags") or {},
        }
    )


def _build_prerequisite(row: dict[str, Any]) -> PrerequisiteRecord:
    doc = row.pop("document")
    full = {"name": row["name"], **doc, "version": row["version"]}
    return PrerequisiteRecord.model_validate(
        {
            **row,
            "description": doc.get("description") or "",
            "type": doc.get("type", ""),
            "plugin": doc.get("plugin"),
            "document": full,
        }
    )


ENVIRONMENT = Kind(
    name="environment",
    plural="environments",
    unhashed_keys=("description", "tags"),
    validate=validate_environment,
    tags=_env_tags,
    build=_build_environment,
    masked=True,
)

PREREQUISITE = Kind(
    name="prerequisite",
    plural="prerequisites",
    unhashed_keys=("description", "contributor"),
    validate=validate_prerequisite,
    tags=lambda _doc: {},
    build=_build_prerequisite,
)

KINDS: dict[str, Kind] = {ENVIRONMENT.name: ENVIRONMENT, PREREQUISITE.name: PREREQUISITE}
