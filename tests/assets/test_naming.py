import pytest

from envyard.assets.config import NamingConfig
from envyard.assets.naming import check_environment_name


@pytest.mark.parametrize(
    "name",
    [
        "minimal-ubuntu22.04-py3.11",
        "sklearn-1.5-ubuntu22.04-py3.11",
        "acpt-pytorch-2.3-cuda12.1",
        "pytorch-2.3-ubuntu22.04-py3.11-cuda12.1",
        "tensorflow-2.16-gpu",
        "windy-demo",  # 'win' prefix without a version is a word, not an OS
    ],
)
def test_good_names(name: str) -> None:
    assert check_environment_name(name, NamingConfig()) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Sklearn-1.5", "lowercase"),
        ("sklearn_1.5", "lowercase"),
        ("pytorch-ubuntu22.04", "framework 'pytorch'"),
        ("sklearn-1.5-ubuntu-py3.11", "operating system 'ubuntu'"),
        ("pytorch-2.3-cuda", "'cuda' in"),
        ("pytorch-2.3-cuda12.1-gpu", "both 'gpu'"),
        ("py3.11-ubuntu22.04", "out of order"),
        ("ubuntu22.04-sklearn-1.5", "out of order"),
        ("pytorch-2.3-cuda12.1-ubuntu22.04", "out of order"),
        ("tensorflow-2.8-cpu", "contains 'cpu'"),
        ("sklearn-1.5-ubuntu22.04-debian12", "more than one os"),
        ("demo-1.0", "does not follow a framework"),
    ],
)
def test_bad_names(name: str, fragment: str) -> None:
    problems = check_environment_name(name, NamingConfig())
    assert any(fragment in message for message, _hint in problems), problems


def test_frameworks_are_configurable() -> None:
    config = NamingConfig(frameworks=["mxnet"])
    assert check_environment_name("mxnet-1.9-ubuntu22.04", config) == []
    assert check_environment_name("mxnet-ubuntu22.04", config)
