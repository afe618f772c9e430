"""The cheap checks of asset.yaml / environment.yaml give pydantic's verdict and values."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from envyard.assets.assetfiles import (
    _asset,
    _environment,
    _from_model,
    _Unsure,
    load_asset_config,
    load_environment_config,
)
from envyard.errors import SpecError
from envyard.spec.asset import AssetConfig, AssetEnvironmentConfig
from envyard.spec.document import Document
from envyard.spec.document import parse_document as parse

ASSETS: list[Any] = [
    {"type": "environment", "spec": "spec.yaml"},
    {"type": "environment", "spec": "s.yaml", "version": "auto", "name": "x", "$schema": None},
    {"type": "model", "spec": "s", "version": 3, "release_paths": ["../a", "!b"]},
    {"type": "code", "spec": "s", "test": {}},
    {"type": "code", "spec": "s", "test": {"pytest": None}},
    {"type": "code", "spec": "s", "test": {"pytest": {"enabled": False, "tests_dir": "t"}}},
    {"type": "code", "spec": "s", "test": {"pytest": {"pip_requirements": "r.txt"}}},
    {"type": "code", "spec": "s", "extra_config": "e.yaml", "name": ""},
    # pydantic decides (conversion or error)
    {"type": "code", "spec": "s", "version": 1.5},
    {"type": "code", "spec": "s", "version": "  "},
    {"type": "code", "spec": "s", "version": True},
    {"type": "code", "spec": "s", "test": {"pytest": {"enabled": "yes"}}},
    {"type": "code", "spec": "s", "schema_": "x"},
    {"type": "widget", "spec": "s"},
    {"type": "code"},
    {"type": "code", "spec": 5},
    {"type": "code", "spec": "s", "release_paths": "a"},
    {"type": "code", "spec": "s", "release_paths": None},
    {"type": "code", "spec": "s", "colour": "red"},
    ["not", "a", "mapping"],
]

ENVIRONMENTS: list[Any] = [
    {"image": {"name": "curated/x"}},
    {
        "$schema": "s",
        "image": {
            "name": "curated/x",
            "os": "windows",
            "context": {"dir": "ctx", "dockerfile": "D", "template_files": ["D", "r.txt"]},
            "publish": {"location": "mcr", "visibility": "internal"},
        },
    },
    {"image": {"name": "n", "context": {"dir": "c"}, "publish": None}},
    # pydantic decides
    {"image": {"name": "n", "os": "mac"}},
    {"image": {"name": "n", "publish": {"location": "mcr"}}},
    {"image": {"name": "n", "publish": {"location": "mcr", "visibility": "secret"}}},
    {"image": {"name": "n", "context": {"dockerfile": "D"}}},
    {"image": {"name": "n", "context": {"dir": "c", "template_files": "D"}}},
    {"image": {"name": 3}},
    {"image": "n"},
    {"images": {"name": "n"}},
]


def _pydantic(model: Any, data: Any) -> Any:
    from pydantic import ValidationError

    try:
        return _from_model(model.model_validate(data))
    except ValidationError:
        return "invalid"


@pytest.mark.parametrize("data", ASSETS)
def test_asset_check_agrees_with_the_model(data: Any) -> None:
    expected = _pydantic(AssetConfig, data)
    try:
        cheap = _asset(data)
    except _Unsure:
        return  # pydantic decides these, by construction the same
    assert expected != "invalid", f"the cheap check accepted what pydantic refuses: {data}"
    assert cheap == expected


@pytest.mark.parametrize("data", ENVIRONMENTS)
def test_environment_check_agrees_with_the_model(data: Any) -> None:
    expected = _pydantic(AssetEnvironmentConfig, data)
    try:
        cheap = _environment(data)
    except _Unsure:
        return
    assert expected != "invalid", f"the cheap check accepted what pydantic refuses: {data}"
    assert cheap == expected


def test_the_common_files_take_the_cheap_path() -> None:
    for data in (ASSETS[0], ASSETS[2], ASSETS[5]):
        assert dataclasses.is_dataclass(_asset(data))
    assert _environment(ENVIRONMENTS[1]).image.context.template_files == ["D", "r.txt"]  # type: ignore[union-attr]


def test_conversions_come_from_pydantic() -> None:
    doc = parse("type: code\nspec: s\nversion: 1.5\n", "asset.yaml")
    config = load_asset_config(doc)
    assert config.version == "1.5"
    assert dataclasses.is_dataclass(config)


def test_errors_keep_file_line_and_column() -> None:
    doc = parse("type: code\nspec: s\nversion: '  '\ncolour: red\n", "a/asset.yaml")
    with pytest.raises(SpecError) as info:
        load_asset_config(doc)
    rendered = [d.render() for d in info.value.diagnostics]
    assert any(r.startswith("a/asset.yaml:3:") and "version is empty" in r for r in rendered)
    assert any(r.startswith("a/asset.yaml:4:1") and "colour" in r for r in rendered)
    env = parse("image:\n  name: n\n  os: mac\n", "a/environment.yaml")
    with pytest.raises(SpecError) as info:
        load_environment_config(env)
    assert info.value.diagnostics[0].render().startswith("a/environment.yaml:3:7")


def test_a_document_without_positions_still_loads() -> None:
    config = load_environment_config(Document(file="e.yaml", data=ENVIRONMENTS[2]))
    assert config.image.context is not None
    assert config.image.context.dockerfile == "Dockerfile"
