from __future__ import annotations

from pathlib import PurePath

import pytest

from envyard.spec.kinds import detect_kind


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("x.yaml", {"$schema": "https://example.org/s/job.schema.json"}, "job"),
        ("asset.yaml", {}, "asset"),
        ("release.json", {}, "notebook-release"),
        ("notebooks.yml", {}, "notebook-config"),
        ("pipeline.yaml", {"run": {}, "tenant_overrides": {}}, "overrides"),
        ("a.yaml", {"protocolVersion": 2}, "job"),
        ("a.yaml", {"targets": []}, "targets"),
        ("environment.yaml", {"image": {"name": "x"}}, "asset-environment"),
        ("torch.yaml", {"name": "t", "docker-image": "x"}, "environment"),
        ("environment.yaml", {"name": "t", "description": "no image"}, "environment"),
        ("whatever.yaml", {"nmae": "t", "kernel": []}, "environment"),
        ("model.yaml", {"path": {"type": "git"}, "publish": {}}, "asset-model"),
        ("storage.yaml", {"path": {"type": "azureblob", "storage_name": "s"}}, "asset-storage"),
        ("x.yaml", {"$schema": "https://example.org/s/asset-model.schema.json"}, "asset-model"),
        ("model.yaml", {"pth": {"type": "git"}, "publish": {}}, "asset-model"),
    ],
)
def test_detect(name: str, data: dict[str, object], kind: str) -> None:
    found = detect_kind(PurePath(name), data)
    assert found is not None
    assert found.name == kind


def test_unrelated_yaml_is_not_guessed_in_folder_walks() -> None:
    data = {"name": "x", "build": {}, "os_type": "linux", "tags": {}}
    assert detect_kind(PurePath("spec.yaml"), data, guess=False) is None
    assert detect_kind(PurePath("ci.yaml"), {"jobs": {}, "on": "push"}) is None


@pytest.mark.parametrize(
    "data",
    [
        {"name": "t", "image": "python:3.11", "path": {"type": "local"}},  # an environment
        {"protocolVersion": 2, "path": {"type": "local"}, "publish": {}},  # a job
        {"path": {"type": "local"}, "other": 1},  # not only a storage path
        {"path": "relative/dir"},  # a path that is not a storage location
        {"publish": {"type": "mlflow_model"}},  # no path
    ],
)
def test_model_and_storage_kinds_do_not_claim_other_files(data: dict[str, object]) -> None:
    found = detect_kind(PurePath("some.yaml"), data, guess=False)
    assert found is None or found.name not in ("asset-model", "asset-storage")
