"""``pytest --envyard-nb``: notebooks as pytest items, like nbmake, on Envyard's kernel pool.

This module is the ``pytest11`` entry point, loaded by every pytest run where Envyard is
installed; it only adds the options, and registers the collection plugin
(:mod:`envyard.notebooks.pytest_items`, which imports nbclient) when ``--envyard-nb`` is set.
"""

from __future__ import annotations

import importlib

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("envyard-nb", "notebooks as tests (envyard)")
    group.addoption("--envyard-nb", action="store_true", help="Collect and run .ipynb files.")
    group.addoption("--envyard-nb-workers", type=int, default=2, help="Parallel kernels.")
    group.addoption("--envyard-nb-env", default=None, help="Registry environment NAME[@VER].")
    group.addoption("--envyard-nb-timeout", type=float, default=None, help="Seconds per notebook.")
    group.addoption("--envyard-nb-output-dir", default=None, help="Save executed notebooks here.")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("envyard_nb", default=False):
        items = importlib.import_module("envyard.notebooks.pytest_items")
        config.pluginmanager.register(items, "envyard-nb-items")
