"""How a conda kernel's lines are read: conda packages by exact name (``pip``, ``pipx`` are conda
packages; only the ``pip:`` section is pip's), the ``python`` line's version or constraint, and
a located error for a ``pip`` line pip cannot install."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.registry.conda import read_conda_export
from envyard.spec.environment import CondaKernel, kernel_conda_packages, kernel_pip_requirements


def _kernel(*deps: object) -> CondaKernel:
    return CondaKernel.model_validate({"dependencies": list(deps)})


@pytest.mark.parametrize(
    ("line", "version", "constraint"),
    [
        ("python=3.11", "3.11", None),
        ("python==3.11.9", "3.11.9", None),
        ("python 3.11.*", "3.11", None),
        ("python=3.11.9=h955ad1f_0", "3.11.9", "python=3.11.9=h955ad1f_0"),
        ("python>=3.8", None, "python>=3.8"),
        ("python >=3.9,<3.12", None, "python >=3.9,<3.12"),
        ("python", None, None),
    ],
)
def test_the_python_line(line: str, version: str | None, constraint: str | None) -> None:
    kernel = _kernel(line, "numpy")
    assert (kernel.python_version(), kernel.python_constraint()) == (version, constraint)


def test_names_are_matched_exactly() -> None:
    kernel = _kernel("python=3.10", "pip", "pipx", "pip-tools=7", "python-dateutil", {"pip": ["x"]})
    assert kernel_conda_packages(kernel) == ["pip", "pipx", "pip-tools=7", "python-dateutil"]
    assert kernel_pip_requirements(kernel) == ["x"]  # pip is a conda package here


@pytest.mark.parametrize(
    ("line", "requirement"),
    [
        ("pip", "pip"),
        ("pip=24.0=py311h06a4308_0", "pip==24.0"),
        ("pip=24.0", "pip==24.0.*"),
        ("pip==24.0", "pip==24.0"),
        ("pip >=23,<25", "pip>=23,<25"),
        ("conda-forge::pip=24.*", "pip==24.*"),
    ],
)
def test_a_pip_kernels_pip_line_is_a_pip_requirement(line: str, requirement: str) -> None:
    kernel = _kernel("python=3.11", line, {"pip": ["six"]})
    assert kernel_conda_packages(kernel) == []
    assert kernel_pip_requirements(kernel) == [requirement, "six"]


def test_a_pip_line_pip_cannot_install_is_located(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text("name: t\ndependencies:\n  - python=3.11\n  - pip 24.*|25.*\n")
    with pytest.raises(SpecError) as info:
        read_conda_export(path)
    assert str(info.value).startswith(f"{path}:4:5: dependencies[1]: 'pip 24.*|25.*' cannot")
