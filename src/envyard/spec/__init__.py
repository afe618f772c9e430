"""Spec files: frozen pydantic models, YAML loading with positions, kinds and JSON Schemas."""

from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig
from envyard.spec.environment import CondaKernel, Environment, Kernel
from envyard.spec.job import Callback, JobSpec, Prerequisite, TaskRole
from envyard.spec.kinds import KINDS, Kind, detect_kind
from envyard.spec.loader import LoadedSpec, load_data, load_model, load_spec, read_document
from envyard.spec.notebooks import NotebookFolderConfig, NotebookSettings, ReleaseJson
from envyard.spec.overrides import OverridesFile, Target, TargetsFile

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
