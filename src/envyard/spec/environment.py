"""The registry form of an environment: base image (docker and/or VM) + kernel + tags.

Accepts the seed's spellings (``docker-image``, ``dockerImage``, ``vm-image``) and the
``conda env export`` format for the kernel, or a plain list of pip requirements.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AliasChoices, Discriminator, Field, Tag, field_validator, model_validator

from envyard.names import Name
from envyard.spec.base import SchemaRef, SpecModel, Tags, Text, spec_error
from envyard.spec.refs import parse_image_ref

_PY_DEP = re.compile(r"^python\s*(?:=|==|>=|~=)\s*(\d+(?:\.\d+)*)")


class PipSection(SpecModel):
    """The ``- pip: [...]`` entry of a conda dependency list."""

    pip: list[str] = Field(description="pip requirement lines (PEP 508, or index options).")


def _dependency_form(value: Any) -> str:
    # called with raw data when validating and with the model when serialising
    return "pip" if isinstance(value, dict | PipSection) else "conda"


Dependency = Annotated[
    Annotated[str, Tag("conda")] | Annotated[PipSection, Tag("pip")],
    Discriminator(_dependency_form),
]


class CondaKernel(SpecModel):
    """A conda environment as ``conda env export`` writes it."""

    name: str | None = Field(default=None, description="Kernel (conda environment) name.")
    channels: list[str] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    variables: dict[str, Text] = Field(default_factory=dict)
    prefix: str | None = Field(default=None, description="Ignored; written by conda export.")

    def pip_requirements(self) -> list[str]:
        return [r for d in self.dependencies if isinstance(d, PipSection) for r in d.pip]

    def conda_packages(self) -> list[str]:
        return [d for d in self.dependencies if isinstance(d, str) and not d.startswith("pip")]

    def python_version(self) -> str | None:
        for dep in self.conda_packages():
            match = _PY_DEP.match(dep)
            if match:
                return match.group(1)
        return None


def _kernel_form(value: Any) -> str:
    return "pip" if isinstance(value, list) else "conda"


Kernel = Annotated[
    Annotated[CondaKernel, Tag("conda")] | Annotated[list[str], Tag("pip")],
    Discriminator(_kernel_form),
]


def kernel_pip_requirements(kernel: Kernel | None) -> list[str]:
    if kernel is None:
        return []
    return list(kernel) if isinstance(kernel, list) else kernel.pip_requirements()


def kernel_conda_packages(kernel: Kernel | None) -> list[str]:
    """Conda-only packages (python itself and pip excluded)."""
    if not isinstance(kernel, CondaKernel):
        return []
    return [p for p in kernel.conda_packages() if not _PY_DEP.match(p) and p != "python"]


class Environment(SpecModel):
    """An environment in the registry."""

    schema_: SchemaRef
    name: Annotated[Name, Field(description="Unique name; letters, digits, '.', '_' and '-'.")]
    version: Text | None = Field(
        default=None, description="Version; the registry assigns 1, 2, 3... when omitted."
    )
    description: str = ""
    image: str | None = Field(
        default=None,
        validation_alias=AliasChoices("image", "docker-image", "dockerImage", "docker_image"),
        description="Docker/OCI image reference (required unless vm_image is given).",
    )
    vm_image: str | None = Field(
        default=None,
        validation_alias=AliasChoices("vm_image", "vm-image", "vmImage"),
        description="VM image (AMI, VirtualBox/VMware image...) when a VM is launched.",
    )
    kernel: Kernel | None = Field(
        default=None,
        description="Conda-style kernel (conda env export format) or a list of pip requirements.",
    )
    tags: Tags = Field(default_factory=dict)

    @field_validator("image")
    @classmethod
    def _image(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_image_ref(value)
            except ValueError as exc:
                raise spec_error(str(exc), "e.g. registry.example.com/team/image:1.0") from None
        return value

    @field_validator("kernel", mode="before")
    @classmethod
    def _kernel_shape(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, dict | list):
            raise spec_error(
                "expected a conda-style mapping (name, channels, dependencies) "
                "or a list of pip requirements",
                "paste the output of `conda env export`, or list pip packages",
            )
        return value

    @model_validator(mode="after")
    def _needs_an_image(self) -> Environment:
        if self.image is None and self.vm_image is None:
            raise spec_error(
                "an environment needs an image (or a vm_image)",
                "add `image: registry/name:tag`",
                field="image",
            )
        return self
