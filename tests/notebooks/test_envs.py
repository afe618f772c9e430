"""Kernels from settings: extra pip requirements (overlay venv) and registry environments."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.errors import ExecutionError
from envyard.notebooks.envs import overlay_python, plan_kernel
from envyard.notebooks.session import SessionRequest, run_session
from envyard.spec.notebooks import NotebookSettings
from envyard.testing.pypi import PypiIndex

pytestmark = pytest.mark.slow


def test_extra_pip_requirements_are_added_to_the_kernel(
    tmp_path: Path, pypi_index: PypiIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"eynb-{tmp_path.name[-6:].replace('_', '')}".lower()
    module = name.replace("-", "_")
    pypi_index.add_wheel(name, "1.2.3")
    for key, value in pypi_index.isolated_env().items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "nbs"
    write_notebook(
        folder / "uses.ipynb",
        f"import {module}\nassert {module}.__version__ == '1.2.3'",
        "import ipykernel, sys\nprint(sys.prefix)",
    )
    write_notebook(folder / "plain.ipynb", f"import importlib.util\n"
                   f"assert importlib.util.find_spec({module!r}) is None")  # fmt: skip
    (folder / "notebooks.yaml").write_text(
        f"notebooks:\n  uses.ipynb:\n    pip: ['{name}==1.2.3']\n", encoding="utf-8"
    )
    report = run_session(SessionRequest([folder]))
    assert [(r.name, r.status) for r in report.results] == [
        ("plain.ipynb", "passed"),
        ("uses.ipynb", "passed"),
    ], [r.message for r in report.results]
    # cached by content: asking again reuses the same overlay
    cache = Path(report.results[1].kernel or "").parents[1]
    again = overlay_python([f"{name}==1.2.3"], cache.parent)
    assert again == report.results[1].kernel


def test_a_requirement_that_cannot_install_is_an_error_result(
    tmp_path: Path, pypi_index: PypiIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in pypi_index.isolated_env().items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ExecutionError, match="no-such-package-eynb"):
        plan_kernel(NotebookSettings(pip=["no-such-package-eynb==1"]), {})


def test_registry_environment_kernel(tmp_path: Path) -> None:
    from envyard.client import Client

    with Client() as client:
        client.environments.create(
            {"name": "nbenv", "image": "python:3.11-slim", "kernel": ["six"]}
        )
    write_notebook(
        tmp_path / "env.ipynb",
        "import six, sys, os\nprint(sys.prefix)\nassert os.environ['ENVYARD_KERNEL'] == 'nbenv'",
    )
    try:
        plan = plan_kernel(NotebookSettings(environment="nbenv"), {})
    except ExecutionError as exc:  # materialising needs PyPI (ipykernel and six)
        pytest.skip(f"cannot materialise the environment's kernel here: {exc}")
    assert plan.environment == "nbenv@1" and plan.image == "python:3.11-slim"
    report = run_session(SessionRequest([tmp_path / "env.ipynb"], environment="nbenv@1"))
    result = report.results[0]
    assert result.status == "passed", (result.message, result.traceback)
    assert result.environment == "nbenv@1"
