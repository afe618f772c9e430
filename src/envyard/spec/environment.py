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

_NAME = re.compile(r"^\s*(?:[^\s:]+::)?([A-Za-z0-9_.+-]+)\s*(.*?)\s*$")  # [channel::]name rest
# ``python=3.11``, ``python==3.11.9``, ``python 3.11.*`` (a version and nothing else)
_PLAIN = re.compile(r"^(?:==?|\s*)(\d+(?:\.\d+)*)(?:\.\*)?$")
# ``=1.2=build`` (conda env export) or ``=1.2`` and ``==1.2``, with an optional ``.*``
_EXACT = re.compile(r"^(==?)\s*([0-9][^=<>!~,|\s]*)(?:[=\s]\s*([\w.*+-]+))?$")


def conda_name(dependency: str) -> str:
    """The package name of a conda dependency line (``conda-forge::numpy>=1`` -> numpy)."""
    match = _NAME.match(dependency)
    return match.group(1).lower() if match else dependency.strip().lower()


def _rest(dependency: str) -> str:
    match = _NAME.match(dependency)
    return match.group(2) if match else ""


def _pip_requirement(dependency: str) -> str | None:
    """A conda ``pip`` line as the pip requirement meaning the same versions (None: no such
    requirement, e.g. ``pip 24.*|25.*``)."""
    rest = _rest(dependency)
    if not rest:
        return "pip"
    exact = _EXACT.match(rest) or re.match(r"^()(\d[^=<>!~,|\s]*)(?:\s+([\w.*+-]+))?$", rest)
    if exact:  # conda: `=V` is V.*, `==V`, `=V=build` and `V build` are V exactly
        operator, version, build = exact.groups()
        if version.endswith("*"):
            version = version.rstrip(".*") + ".*"
        elif operator == "=" and not build:
            version += ".*"
        return f"pip=={version}"
    if re.fullmatch(r"(?:(?:[<>]=?|!=|~=|==)\s*\d[\w.*]*\s*,?\s*)+", rest):
        return "pip" + rest.replace(" ", "")
    return None


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

    @model_validator(mode="after")
    def _pip_line_for_pip(self) -> CondaKernel:
        """In a pip kernel the conda ``pip`` line is installed by pip: it must say it in pip's
        terms."""
        if kernel_conda_packages(self):
            return self
        for index, dependency in enumerate(self.dependencies):
            is_pip = isinstance(dependency, str) and conda_name(dependency) == "pip"
            if is_pip and _pip_requirement(str(dependency)) is None:
                raise spec_error(
                    f"'{dependency}' cannot be installed by pip: a kernel whose only conda "
                    "packages are python and pip gets pip from the pip index",
                    "write it as pip=24.0, pip>=23 or plain pip",
                    field=["dependencies", index],
                )
        return self

    def pip_requirements(self) -> list[str]:
        return [r for d in self.dependencies if isinstance(d, PipSection) for r in d.pip]

    def conda_packages(self) -> list[str]:
        """Every conda dependency line (``pip``, ``pipx``... are conda packages too; only the
        ``- pip: [...]`` section is pip's, as conda reads the file)."""
        return [d for d in self.dependencies if isinstance(d, str)]

    def python_dependency(self) -> str | None:
        """The ``python...`` line, if the kernel has one."""
        return next((d for d in self.conda_packages() if conda_name(d) == "python"), None)

    def python_version(self) -> str | None:
        """The version the ``python`` line names (``python=3.11``, ``python=3.11.9=<build>``:
        3.11, 3.11.9); None without one, or for a constraint (``python>=3.8``)."""
        line = self.python_dependency()
        rest = _rest(line) if line else ""
        found = _PLAIN.match(rest) or _EXACT.match(rest)
        if not found:
            return None
        version = found.group(2 if found.re is _EXACT else 1)
        parts = version.rstrip(".*").split(".")
        return ".".join(parts) if all(p.isdigit() for p in parts) else None

    def python_constraint(self) -> str | None:
        """The ``python`` line when it says more than a version (a range, or an exact build as
        ``conda env export`` writes it): solved as written in a conda kernel."""
        line = self.python_dependency()
        if line is None or not _rest(line) or _PLAIN.match(_rest(line)):
            return None
        return line.strip()


def _kernel_form(value: Any) -> str:
    return "pip" if isinstance(value, list) else "conda"


Kernel = Annotated[
    Annotated[CondaKernel, Tag("conda")] | Annotated[list[str], Tag("pip")],
    Discriminator(_kernel_form),
]


def _pip_line(kernel: CondaKernel) -> str | None:
    return next((d for d in kernel.conda_packages() if conda_name(d) == "pip"), None)


def kernel_pip_requirements(kernel: Kernel | None) -> list[str]:
    """The pip requirements; in a pip kernel (conda part only python and pip) the conda
    ``pip`` line is one of them (``pip=24.0=<build>`` -> ``pip==24.0``)."""
    if kernel is None:
        return []
    if isinstance(kernel, list):
        return list(kernel)
    pip = _pip_line(kernel)
    own = _pip_requirement(pip) if pip and not kernel_conda_packages(kernel) else None
    return [*([own] if own else []), *kernel.pip_requirements()]


def kernel_conda_packages(kernel: Kernel | None) -> list[str]:
    """The conda packages solved besides python (whose line the kernel spec carries itself),
    ``pip`` included; none when the conda part is only python and pip: that kernel is a pip
    kernel on a local interpreter."""
    if not isinstance(kernel, CondaKernel):
        return []
    found = [p for p in kernel.conda_packages() if conda_name(p) != "python"]
    return found if any(conda_name(p) != "pip" for p in found) else []


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
