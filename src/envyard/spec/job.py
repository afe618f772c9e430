"""Job specs: OpenPAI protocol v2, extended with prerequisite callbacks (the seed's proposal).

Old-style jobs parse unchanged (single ``dockerImage``/``data``/``script``/``output`` references,
``uri``-only prerequisites); new-style prerequisites add ``plugin``, ``require``, ``callbacks``,
``failurePolicy`` and free plugin parameters (read with ``<% this.parameters.key %>``).
Cross-references (names, ``require`` cycles, parameters) are checked in ``jobchecks``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_validator,
)

from envyard.names import NAME_HINT, is_name
from envyard.spec.base import OpenSpecModel, SchemaRef, SpecModel, Text, spec_error

Event = Literal["containerStart", "containerExit", "onSuccess", "onFailure"]
EVENT_ALIASES: dict[str, str] = {"taskStarts": "containerStart", "taskSucceeds": "onSuccess"}
# OpenPAI runs these in reverse prerequisite order (openpai-runtime's initializer inserts each
# prerequisite's post script first); Envyard's own onSuccess runs in start order.
REVERSED_ALIASES = frozenset({"taskSucceeds"})
FailurePolicy = Literal["fail", "ignore"]
_JOB_NAME = re.compile(r"[A-Za-z0-9_-]+")


def check_plain_name(value: Any, what: str) -> Any:
    """Names become file names, shell words and comment lines: the one name rule
    (:mod:`envyard.names`: a full match, no control characters, no '/', no leading '-')."""
    if isinstance(value, str) and not is_name(value):
        shown = value if len(value) <= 140 else value[:140] + "..."
        raise spec_error(f"{what} {shown!r} is not a valid name", NAME_HINT)
    return value


PrerequisiteType = Literal["dockerimage", "script", "data", "output"]


class Callback(SpecModel):
    event: Event = Field(description="containerStart, containerExit, onSuccess or onFailure.")
    commands: list[str] = Field(description="Commands, translated by the prerequisite's plugin.")
    failurePolicy: FailurePolicy | None = Field(
        default=None, description="Overrides the prerequisite's policy for this callback."
    )

    _spelling: str | None = PrivateAttr(default=None)  # the OpenPAI alias written, if any

    @field_validator("event", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        return EVENT_ALIASES.get(value, value) if isinstance(value, str) else value

    @model_validator(mode="wrap")
    @classmethod
    def _keep_spelling(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        callback = handler(data)
        written = data.get("event") if isinstance(data, Mapping) else None
        if isinstance(written, str) and written in EVENT_ALIASES:
            callback._spelling = written
        return callback

    @field_serializer("event", mode="wrap")
    def _written_event(self, event: str, handler: SerializerFunctionWrapHandler) -> str:
        return self._spelling or str(handler(event))  # an exported spec keeps OpenPAI's spelling

    @property
    def reverse_order(self) -> bool:
        """OpenPAI's ``taskSucceeds``: run in reverse start order of the prerequisites."""
        return self._spelling in REVERSED_ALIASES


class Prerequisite(OpenSpecModel):
    """A reusable prerequisite; keys not listed here are the plugin's free parameters."""

    name: str = Field(description="Unique name, referenced by task roles and `require`.")
    type: PrerequisiteType = Field(description="dockerimage, script, data or output.")
    plugin: str | None = Field(
        default=None, description="Plugin that handles it (default: cmd, or docker for images)."
    )
    require: list[str] = Field(default_factory=list, description="Prerequisites needed first.")
    callbacks: list[Callback] = Field(default_factory=list)
    failurePolicy: FailurePolicy = Field(default="fail")
    uri: str | list[str] | None = Field(default=None, description="Where it comes from.")
    description: str | None = None
    version: Text | None = None
    contributor: str | None = None

    @property
    def parameters(self) -> dict[str, Any]:
        """The free plugin parameters (every key not defined by the protocol)."""
        return dict(self.model_extra or {})

    @field_validator("type", mode="before")
    @classmethod
    def _type_case(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return check_plain_name(value, "prerequisite name")

    @field_validator("uri")
    @classmethod
    def _data_uri_list(cls, value: Any, info: ValidationInfo) -> Any:
        if info.data.get("type") == "data" and isinstance(value, str):
            raise spec_error(
                "a data prerequisite's uri is a list (OpenPAI's schema)", f"write uri: [{value}]"
            )
        return value


class Completion(SpecModel):
    minFailedInstances: int | None = Field(default=1, ge=-1)
    minSucceededInstances: int | None = Field(default=None, ge=-1)


class Resources(SpecModel):
    cpu: int = Field(default=1, ge=0)
    memoryMB: int = Field(default=1024, ge=0)
    gpu: int = Field(default=0, ge=0)
    ports: dict[str, int] = Field(default_factory=dict)


class TaskRole(SpecModel):
    instances: int = Field(default=1, ge=1, description="How many copies run.")
    completion: Completion | None = None
    taskRetryCount: int = Field(default=0, ge=0)
    dockerImage: str | None = Field(default=None, description="Name of a dockerimage prerequisite.")
    data: str | None = Field(default=None, description="Name of a data prerequisite (old style).")
    output: str | None = Field(default=None, description="Name of an output prerequisite.")
    script: str | None = Field(default=None, description="Name of a script prerequisite.")
    prerequisites: list[str] = Field(
        default_factory=list, description="Prerequisites, started in order, exited in reverse."
    )
    environment: str | None = Field(
        default=None, description="An Envyard environment, NAME or NAME@VERSION."
    )
    resourcePerInstance: Resources = Field(default_factory=Resources)
    extraContainerOptions: dict[str, Any] = Field(default_factory=dict)
    commands: list[str] = Field(min_length=1, description="The user's commands.")


class DeploymentRole(SpecModel):
    preCommands: list[str] = Field(default_factory=list, description="Run before the commands.")
    postCommands: list[str] = Field(default_factory=list, description="Run after the commands.")


class Deployment(SpecModel):
    """Commands added around task roles' commands when this deployment is chosen."""

    protocolVersion: Literal[2, "2"] | None = None
    name: str = Field(description="Chosen with defaults.deployment or --deployment NAME.")
    taskRoles: dict[str, DeploymentRole] = Field(min_length=1)

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        return check_plain_name(value, "deployment name")


class Defaults(OpenSpecModel):
    deployment: str | None = Field(default=None, description="The deployment used by default.")


class JobSpec(SpecModel):
    """An OpenPAI protocol v2 job, with Envyard's extensions."""

    schema_: SchemaRef
    protocolVersion: Literal[2, "2"] = Field(description="Always 2.")
    name: str = Field(description="Job name: letters, digits, '_' and '-'.")
    type: Literal["job"] = "job"
    version: Text | None = None
    contributor: str | None = None
    description: str | None = None
    prerequisites: list[Prerequisite] = Field(default_factory=list)
    parameters: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, Any] | str = Field(default_factory=dict)
    jobRetryCount: int = Field(default=0, ge=0)
    taskRoles: dict[str, TaskRole] = Field(min_length=1)
    deployments: list[Deployment] = Field(default_factory=list)
    defaults: Defaults = Field(default_factory=Defaults)
    extras: dict[str, Any] = Field(default_factory=dict, description="Free, for plugins.")

    @field_validator("name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> Any:
        if isinstance(value, str) and not _JOB_NAME.fullmatch(value):
            raise spec_error(
                f"job name {value!r} may only contain letters, digits, '_' and '-'",
                "e.g. covid-training",
            )
        return check_plain_name(value, "job name")

    @field_validator("taskRoles", mode="before")
    @classmethod
    def _role_names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for key in value:
                check_plain_name(key, "task role name")
        return value
