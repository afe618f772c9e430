"""``pytest --envyard-nb`` in a separate pytest process (warnings are errors there too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

pytestmark = pytest.mark.slow


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--envyard-nb",
         "-p", "no:cacheprovider", "-p", "no:benchmark", "-rA", *args],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    write_notebook(folder / "ok.ipynb", "x = 1", "assert x == 1")
    write_notebook(folder / "bad.ipynb", "x = 1", "raise ValueError('boom')")
    write_notebook(folder / "skip.ipynb", "pass")
    (folder / "notebooks.yaml").write_text(
        "notebooks:\n  skip.ipynb:\n    skip: needs a GPU\n", encoding="utf-8"
    )
    (folder / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n", encoding="utf-8")
    return folder


def test_notebooks_become_pytest_items(tmp_path: Path) -> None:
    done = _pytest(_project(tmp_path), "--envyard-nb-workers", "2")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "PASSED ok.ipynb::ok.ipynb" in out
    assert "FAILED bad.ipynb::bad.ipynb" in out
    assert "SKIPPED [1] skip.ipynb: needs a GPU" in out
    assert "cell 2:\nraise ValueError('boom')" in out
    assert "1 failed, 1 passed, 1 skipped" in out


def test_with_xdist_workers(tmp_path: Path) -> None:
    done = _pytest(_project(tmp_path), "-n", "2")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed, 1 skipped" in done.stdout


def test_without_the_flag_notebooks_are_not_collected(tmp_path: Path) -> None:
    folder = _project(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 5, done.stdout  # no tests collected


def test_pytest_without_the_flag_does_not_import_nbclient(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    assert True is not False\n")
    (tmp_path / "conftest.py").write_text(
        "import sys\n\n"
        "def pytest_sessionfinish(session):\n"
        "    names = ('envyard.notebooks.pytest_plugin', 'nbclient')\n"
        "    loaded = [m for m in names if m in sys.modules]\n"
        "    print('LOADED', loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    # only our plugin, loaded as its entry point would be: another installed plugin (nbmake
    # imports nbclient at start-up) must not decide this test
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    plugin = ["-p", "envyard.notebooks.pytest_plugin"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *plugin],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "1 passed" in done.stdout
    # the plugin is loaded, but nothing heavy comes with it
    assert "LOADED ['envyard.notebooks.pytest_plugin']" in done.stdout
