"""The files of an asset repository in the azureml-assets layout: one pydantic model per file.

- :class:`AssetConfig`: ``asset.yaml``, common to the twelve asset types;
- :class:`AssetEnvironmentConfig`: an environment's ``environment.yaml`` (image build/publish);
- :class:`AssetModelConfig`: a model's ``model.yaml`` (where the weights are, how published);
- :class:`AssetStorageConfig`: ``storage.yaml`` of data, prompt and other generic assets.

Every field the reference tool (``azureml-assets``' ``config.py``) reads is modelled. Keys it
does not know are kept (``extra="allow"``) and reported by :func:`unknown_fields` as warnings
with a did-you-mean, so a newer file of the real repository still loads.
"""

from __future__ import annotations

import difflib
import functools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from envyard.names import Name
from envyard.spec.base import SchemaRef, Tags, Text, spec_error
from envyard.spec.findings import Finding

AssetType = Literal[  # the reference's twelve asset types, and ``code`` (the seed document's)
    "component",
    "data",
    "environment",
    "evaluationresult",
    "model",
    "prompt",
    "agentblueprint",
    "evaluator",
    "benchmarkspec",
    "agentmanifest",
    "apptemplate",
    "humanevaluationtemplate",
    "code",
]


class AssetFileModel(BaseModel):
    """A frozen model of an asset file: unknown keys are kept and warned about, not refused."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)


class PytestConfig(AssetFileModel):
    enabled: bool = Field(default=False, description="Run the asset's tests.")
    conda_environment: str | None = Field(
        default=None, description="Conda file for the tests (must install pytest)."
    )
    pip_requirements: str | None = Field(
        default=None, description="Requirements file installed before testing."
    )
    tests_dir: str = Field(default=".", description="Directory containing the tests.")


class TestConfig(AssetFileModel):
    pytest: PytestConfig | None = None


class AssetConfig(AssetFileModel):
    """``asset.yaml``: configuration common to every asset type."""

    schema_: SchemaRef
    name: Name | None = Field(default=None, description="Asset name; defaults to the spec's.")
    version: Text | None = Field(
        default=None, description="'auto' for 1-up versioning, or a manual version."
    )
    type: AssetType = Field(description="One of the asset types (component, environment, ...).")
    spec: str = Field(description="Spec file, relative to asset.yaml.")
    description_file: str | None = Field(
        default=None, description="Markdown description, relative to asset.yaml."
    )
    extra_config: str | None = Field(
        default=None,
        description="Type-specific config (environment.yaml, model.yaml, storage.yaml).",
    )
    release_paths: list[str] = Field(
        default_factory=list,
        description="Extra files/dirs to release, relative to asset.yaml; '!' excludes.",
    )
    test: TestConfig | None = None
    categories: list[Text] | Text = Field(
        default_factory=list, description="Catalog categories (the reference also takes one)."
    )

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise spec_error("version is empty", "write 'auto' or a version such as 1")
        return value


class BuildContext(AssetFileModel):
    dir: str = Field(description="Build context directory, relative to environment.yaml.")
    dockerfile: str = Field(default="Dockerfile", description="Relative to the context dir.")
    template_files: list[str] = Field(
        default_factory=list, description="Files whose template tags are resolved before build."
    )


class Publish(AssetFileModel):
    location: str = Field(description="Registry (or alias) the image is published to.")
    visibility: Literal["public", "internal", "staging", "unlisted"]


class ImageConfig(AssetFileModel):
    name: str = Field(description="Image name, e.g. azureml/curated/my_env.")
    os: Literal["linux", "windows"] = "linux"
    context: BuildContext | None = None
    publish: Publish | None = None
    tags: Tags = Field(default_factory=dict, description="Labels of the published image.")


class AssetEnvironmentConfig(AssetFileModel):
    """An environment asset's ``environment.yaml``."""

    schema_: SchemaRef
    image: ImageConfig


class StoragePath(AssetFileModel):
    """Where an asset's files live: ``local``/``git``/``azureblob`` (``http``/``ftp`` named)."""

    type: Literal["local", "git", "azureblob", "http", "ftp"]
    uri: str | None = None
    branch: str | None = None
    storage_name: str | None = None
    container_name: str | None = None
    container_path: str | None = None


class ModelPublish(AssetFileModel):
    description: str | None = Field(default=None, description="Model card, relative to file.")
    type: Literal["mlflow_model", "custom_model", "triton_model"] | None = None


class AssetModelConfig(AssetFileModel):
    """A model asset's ``model.yaml``."""

    schema_: SchemaRef
    path: StoragePath
    publish: ModelPublish | None = None


class AssetStorageConfig(AssetFileModel):
    """``storage.yaml`` of data, prompt and other generic assets."""

    schema_: SchemaRef
    path: StoragePath | None = None


@functools.cache
def _field_names(model: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(attribute, key as written) per field; read once per class (pydantic's class property
    ``model_fields`` is slow to ask thousands of times)."""
    return tuple((name, info.alias or name) for name, info in model.model_fields.items())


def unknown_fields(model: BaseModel, path: tuple[str | int, ...] = ()) -> list[Finding]:
    """A warning for each key of ``model`` (and its nested models) that no field reads."""
    found: list[Finding] = []
    fields = _field_names(type(model))
    extra = model.model_extra
    if extra:
        known = [key for _name, key in fields]
        for key in extra:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.75)
            hint = f"did you mean '{close[0]}'?" if close else "known fields: " + ", ".join(known)
            found.append(
                Finding((*path, key), f"unknown field '{key}'", hint, severity="warning", key=True)
            )
    for name, key in fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            found += unknown_fields(value, (*path, key))
    return found


def check_unknown(model: Any) -> list[Finding]:
    """The ``Kind.check`` of every asset file kind."""
    return unknown_fields(model) if isinstance(model, BaseModel) else []
