"""Kernel specs: what counts for the content hash, conda vs pip, the conda file written."""

from __future__ import annotations

from ruamel.yaml import YAML

from envyard.launch.kernelspec import kernel_spec
from envyard.spec import Environment


def _env(kernel: object, **extra: object) -> Environment:
    return Environment.model_validate({"name": "team", "image": "x:1", "kernel": kernel, **extra})


def test_hash_depends_on_the_kernel_only() -> None:
    a = kernel_spec(_env(["six==1.16"], description="one"))
    b = kernel_spec(_env(["six==1.16"], description="two", tags=["GPU"]))
    c = kernel_spec(_env(["six==1.17"]))
    assert a is not None and b is not None and c is not None
    assert a.content_hash == b.content_hash
    assert a.content_hash != c.content_hash
    assert len(a.content_hash) == 64


def test_conda_kernel_splits_python_conda_and_pip() -> None:
    spec = kernel_spec(
        _env(
            {
                "name": "team_py310",
                "channels": ["conda-forge"],
                "dependencies": ["python=3.10", "numpy=1.26", "pip", {"pip": ["six"]}],
            }
        )
    )
    assert spec is not None
    assert spec.name == "team_py310"
    assert spec.python == "3.10"
    assert spec.conda == ("numpy=1.26", "pip")  # pip is a conda package, as conda reads it
    assert spec.pip == ("six",)
    assert spec.needs_conda
    doc = YAML(typ="safe").load(spec.environment_yml())
    assert doc["dependencies"][:3] == ["python=3.10", "numpy=1.26", "pip"]
    assert doc["dependencies"].count("pip") == 1
    assert doc["dependencies"][-1] == {"pip": ["six"]}
    assert doc["channels"] == ["conda-forge"]


def test_python_and_pip_only_conda_kernel_needs_no_conda() -> None:
    spec = kernel_spec(_env({"dependencies": ["python=3.11", "pip", {"pip": ["six"]}]}))
    assert spec is not None
    assert not spec.needs_conda
    assert spec.name == "team"  # no conda name: the environment's


def test_no_kernel() -> None:
    assert kernel_spec(_env(None)) is None
