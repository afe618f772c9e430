"""Spec files: frozen pydantic models, YAML loading with positions, kinds and JSON Schemas.

The names below are imported on first use (module ``__getattr__``): importing one spec module
(``envyard.spec.asset``) must not build every pydantic model of every kind — that is ~130 ms
of start-up for commands such as ``envyard asset validate`` that need two of them.
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
