"""Spec files: frozen pydantic models, YAML loading with positions, kinds and JSON Schemas.

The names below are imported on first use (module ``__getattr__``): importing one spec module
(``envyard.spec.asset``) must not build every pydantic model of every kind — that is ~130 ms
of start-up for commands such as ``envyard asset validate`` that need two of them.

=================== ===========================================================================
module              what
=================== ===========================================================================
``base``            shared model configuration and helpers
``environment``     the registry form of an environment: image(s), kernel, tags
``job``             job specs: OpenPAI protocol v2 with prerequisite callbacks
``jobchecks``       a job's cross-reference checks
``job_runtime``     what OpenPAI's runtime gives a job that Envyard does not (warnings)
``template``        the strict ``<% %>`` template language of job commands (no eval)
``asset``           an asset repository's files (azureml-assets layout), one model per file
``asset_kinds``     the kinds of an asset repository's files
``notebooks``       notebook-CI configuration: ``notebooks.yaml``, the seed's ``release.json``
``overrides``       override profiles (the RFC's layout and shrike's) and targets
``overrides_rules`` one rule of a profile: its JSONPath key and its value
``refs``            container image references, parsed without regex soup
``kind``/``kinds``  what a kind of file is, and how a file's kind is recognised
``loader``          a file into its frozen model, every problem with file:line:col
``diagnose``        pydantic errors as ``file:line:col field.path: message``
``findings``        problems found after a model validated (cross-references)
``validation``      many files: walk folders, recognise kinds, collect every diagnostic
``schema``          JSON Schemas of the kinds (``envyard schema``, editors)
``reference``       the Markdown reference of every kind (``docs/specs.md``)
=================== ===========================================================================
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig
    from envyard.spec.environment import CondaKernel, Environment, Kernel
    from envyard.spec.job import Callback, JobSpec, Prerequisite, TaskRole
    from envyard.spec.kinds import KINDS, Kind, detect_kind
    from envyard.spec.loader import LoadedSpec, load_data, load_model, load_spec, read_document
    from envyard.spec.notebooks import NotebookFolderConfig, NotebookSettings, ReleaseJson
    from envyard.spec.overrides import OverridesFile, Target, TargetsFile

_WHERE = {
    "AssetConfig": "asset",
    "AssetEnvironmentConfig": "asset",
    "CondaKernel": "environment",
    "Environment": "environment",
    "Kernel": "environment",
    "Callback": "job",
    "JobSpec": "job",
    "Prerequisite": "job",
    "TaskRole": "job",
    "KINDS": "kinds",
    "Kind": "kinds",
    "detect_kind": "kinds",
    "LoadedSpec": "loader",
    "load_data": "loader",
    "load_model": "loader",
    "load_spec": "loader",
    "read_document": "loader",
    "NotebookFolderConfig": "notebooks",
    "NotebookSettings": "notebooks",
    "ReleaseJson": "notebooks",
    "OverridesFile": "overrides",
    "Target": "overrides",
    "TargetsFile": "overrides",
}

__all__ = [
    "KINDS",
    "AssetConfig",
    "AssetEnvironmentConfig",
    "Callback",
    "CondaKernel",
    "Environment",
    "JobSpec",
    "Kernel",
    "Kind",
    "LoadedSpec",
    "NotebookFolderConfig",
    "NotebookSettings",
    "OverridesFile",
    "Prerequisite",
    "ReleaseJson",
    "Target",
    "TargetsFile",
    "TaskRole",
    "detect_kind",
    "load_data",
    "load_model",
    "load_spec",
    "read_document",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'envyard.spec' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"envyard.spec.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
