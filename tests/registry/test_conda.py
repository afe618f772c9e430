"""`conda env export` files become kernels; bad files give located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.registry.conda import environment_from_conda, read_conda_export

EXPORT = """\
name: base
channels:
  - defaults
dependencies:
  - _ipyw_jlab_nb_ext_conf=0.1.0=py37_0
  - python=3.7.6=h0371630_2
  - pip:
      - six==1.16.0
prefix: /opt/conda
"""


def test_reads_an_export(tmp_path: Path) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(EXPORT)
    kernel = read_conda_export(path)
    assert kernel.name == "base"
    assert kernel.prefix is None
    assert kernel.python_version() == "3.7.6"
    assert kernel.pip_requirements() == ["six==1.16.0"]
    body = environment_from_conda(path, name="team", image="python:3.7", tags={"k": "v"})
    assert body["kernel"]["dependencies"][0] == "_ipyw_jlab_nb_ext_conf=0.1.0=py37_0"
    assert "prefix" not in body["kernel"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\ndependencies: [a\n", "not valid YAML"),
        ("name: x\nchannels: []\n", "no 'dependencies'"),
        ("name: x\ndependencies:\n  - 3\n  - {pip: nope}\n", "dependencies[1]"),
        ("name: x\ndependencies: []\n", "lists no dependencies"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_exports_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "environment.yml"
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        read_conda_export(path)
    assert message in str(caught.value)
    assert "environment.yml" in str(caught.value)
