"""Notebook-CI configuration: a per-folder ``notebooks.yaml`` and the seed's ``release.json``.

``notebooks.yaml`` sets defaults for every notebook in its folder (and below), with
per-notebook sections under ``notebooks:``. ``release.json`` beside a notebook is the seed
project's per-notebook file (dependencies, requirements, conda file, timeouts, parameters).
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, Field, field_validator

from envyard.spec.base import SchemaRef, SpecModel, spec_error


class NotebookSettings(SpecModel):
    environment: str | None = Field(
        default=None, description="Registry environment NAME[@VERSION] to run in."
    )
    pip: list[str] = Field(
        default_factory=list, description="Extra pip requirements added to the kernel."
    )
    conda_file: str | None = Field(
        default=None,
        description="Conda file of a staged copy into which `pip` requirements are added.",
    )
    timeout: float | None = Field(default=None, gt=0, description="Seconds per notebook.")
    cell_timeout: float | None = Field(default=None, gt=0, description="Seconds per cell.")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="Injected after the cell tagged `parameters`."
    )
    skip: bool | str = Field(default=False, description="true, or the reason to skip.")
    files: list[str] = Field(
        default_factory=list, description="Files/globs the notebook needs (its snapshot)."
    )
    target: str | None = Field(default=None, description="Target whose overrides apply.")
    kernel: str | None = Field(default=None, description="Jupyter kernel name to use.")
    setup: str | None = Field(
        default=None, description="Code run in a cell injected first (removed from the output)."
    )
    teardown: str | None = Field(
        default=None,
        description="Code run in a cell injected last, also after a failing cell (removed).",
    )
    before_cell: str | None = Field(
        default=None, description="Code run (hidden, no output) before every code cell."
    )
    after_cell: str | None = Field(
        default=None, description="Code run (hidden, no output) after every code cell."
    )


class NotebookFolderConfig(NotebookSettings):
    """``notebooks.yaml``: defaults for a folder plus per-notebook sections."""

    schema_: SchemaRef
    include: list[str] = Field(default_factory=lambda: ["*.ipynb"])
    exclude: list[str] = Field(default_factory=list)
    notebooks: dict[str, NotebookSettings] = Field(
        default_factory=dict, description="Per-notebook settings, keyed by file name."
    )

    @field_validator("notebooks")
    @classmethod
    def _names(cls, value: dict[str, NotebookSettings]) -> dict[str, NotebookSettings]:
        for name in value:
            if not name.endswith(".ipynb"):
                raise spec_error(
                    f"'{name}' is not a notebook file name", "keys end in .ipynb", field=name
                )
        return value


class ReleaseJson(SpecModel):
    """The seed's ``release.json`` (camelCase and snake_case spellings are both accepted)."""

    schema_: SchemaRef
    dependencies: list[str] = Field(
        default_factory=list, description="Repository files the notebook needs (snapshot)."
    )
    requirements: list[str] = Field(default_factory=list, description="pip requirements.")
    conda_file: str | None = Field(
        default=None, validation_alias=AliasChoices("conda_file", "condaFile")
    )
    cell_timeout: float | None = Field(
        default=None, gt=0, validation_alias=AliasChoices("cell_timeout", "celltimeout")
    )
    timeout: float | None = Field(default=None, gt=0)
    parameters: dict[str, Any] = Field(
        default_factory=dict, validation_alias=AliasChoices("parameters", "params")
    )
    image: str | None = None
    compute: str | None = None
    environment: str | None = None
    skip: bool | str = False

    def as_settings(self) -> NotebookSettings:
        return NotebookSettings(
            environment=self.environment,
            pip=self.requirements,
            conda_file=self.conda_file,
            timeout=self.timeout,
            cell_timeout=self.cell_timeout,
            parameters=self.parameters,
            skip=self.skip,
            files=self.dependencies,
        )
