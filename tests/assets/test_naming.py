"""Naming rules at the reference tool's severities (azureml-assets validate_assets.py -n)."""

import pytest

from envyard.assets.config import NamingConfig
from envyard.assets.rules.naming import check_asset_name, check_environment_name


def _errors(name: str, config: NamingConfig | None = None) -> list[str]:
    found = check_environment_name(name, config or NamingConfig())
    return [message for severity, message, _hint in found if severity == "error"]


def _warnings(name: str) -> list[str]:
    found = check_environment_name(name, NamingConfig())
    return [message for severity, message, _hint in found if severity == "warning"]


@pytest.mark.parametrize(
    "name",
    [
        "sklearn-1.5",
        "pytorch-2.3-cuda12.1",
        "tensorflow-2.16-gpu",
        "acpt-pytorch-2.2-cuda12.1",
        "pytorch-2.3-debian11-py310-cuda12.1",
        "windy-demo",  # 'win' only as a whole word is an operating system
    ],
)
def test_names_the_reference_accepts(name: str) -> None:
    assert _errors(name) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Sklearn-1.5", "invalid characters"),
        ("sklearn_1.5", "invalid characters"),
        ("sklearn-1.5-ubuntu22.04", "invalid string 'ubuntu'"),
        ("tensorflow-2.8-cpu", "invalid string 'cpu'"),
        ("pytorch-debian11", "missing framework version"),
        ("sklearn-1.5-debian", "missing operating system version"),
        ("pytorch-2.3-cuda", "missing GPU driver version"),
        ("pytorch-2.3-cuda12.1-gpu", "both GPU driver and 'gpu'"),
    ],
)
def test_names_the_reference_refuses(name: str, fragment: str) -> None:
    assert any(fragment in message for message in _errors(name)), _errors(name)


def test_what_the_reference_only_warns_about() -> None:
    assert _warnings("lightgbm-3.3") == ["name 'lightgbm-3.3' is missing framework"]
    assert _errors("lightgbm-3.3") == []
    assert any("Python version" in w for w in _warnings("sklearn-1.5-py310"))


def test_word_lists_are_configurable() -> None:
    config = NamingConfig(frameworks=["mxnet"], invalid_strings=["cpu"])
    assert _errors("mxnet-1.9-debian11", config) == []
    assert "name 'mxnet-debian11' is missing framework version" in _errors("mxnet-debian11", config)


@pytest.mark.parametrize(
    ("name", "kind", "fragment"),
    [
        ("azureml-sklearn", "component", "forbidden word 'azureml'"),
        ("my-aml-thing", "component", "forbidden word 'aml'"),
        ("train-component", "component", "forbidden word 'component'"),
        ("microsoft-phi", "component", "forbidden word 'microsoft'"),
        ("Train", "component", "invalid characters"),
    ],
)
def test_every_asset_type_has_name_rules(name: str, kind: str, fragment: str) -> None:
    found = check_asset_name(name, kind, NamingConfig())
    assert any(fragment in message for _s, message, _h in found), found


def test_models_may_use_capitals_and_microsoft() -> None:
    assert check_asset_name("Phi-3-microsoft", "model", NamingConfig()) == []
    assert check_asset_name("Azure-model-x", "model", NamingConfig()) == []  # the exemption
    one = check_asset_name("azureml-x", "component", NamingConfig())
    assert len(one) == 1  # 'azure' is not reported again inside 'azureml'
