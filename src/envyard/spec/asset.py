"""``asset.yaml`` and an environment asset's ``environment.yaml``, as in the asset repo layout."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from envyard.spec.base import SchemaRef, SpecModel, Text, spec_error

AssetType = Literal["code", "component", "environment", "model"]


class PytestConfig(SpecModel):
    enabled: bool = Field(default=True, description="Run the asset's tests.")
    pip_requirements: str | None = Field(
        default=None, description="Requirements file installed before testing."
    )
    tests_dir: str = Field(default="tests", description="Directory containing the tests.")


class TestConfig(SpecModel):
    pytest: PytestConfig | None = None


class AssetConfig(SpecModel):
    """``asset.yaml``: configuration common to every asset type."""

    schema_: SchemaRef
    name: str | None = Field(default=None, description="Asset name; defaults to the spec's.")
    version: Text | None = Field(
        default=None, description="'auto' for 1-up versioning, or a manual version."
    )
    type: AssetType = Field(description="code, component, environment or model.")
    spec: str = Field(description="Spec file, relative to asset.yaml.")
    extra_config: str | None = Field(
        default=None, description="Type-specific config (environment.yaml), relative to asset.yaml."
    )
    release_paths: list[str] = Field(
        default_factory=list,
        description="Extra files/dirs to release, relative to asset.yaml; '!' excludes.",
    )
    test: TestConfig | None = None

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise spec_error("version is empty", "write 'auto' or a version such as 1")
        return value


class BuildContext(SpecModel):
    dir: str = Field(description="Build context directory, relative to environment.yaml.")
    dockerfile: str = Field(default="Dockerfile", description="Relative to the context dir.")
    template_files: list[str] = Field(
        default_factory=list, description="Files whose template tags are resolved before build."
    )


class Publish(SpecModel):
    location: str = Field(description="Registry (or alias) the image is published to.")
    visibility: Literal["public", "internal", "staging", "unlisted"]


class ImageConfig(SpecModel):
    name: str = Field(description="Name of the environment's image, e.g. curated/my_env.")
    os: Literal["linux", "windows"] = "linux"
    context: BuildContext | None = None
    publish: Publish | None = None


class AssetEnvironmentConfig(SpecModel):
    """An environment asset's ``environment.yaml``."""

    schema_: SchemaRef
    image: ImageConfig
