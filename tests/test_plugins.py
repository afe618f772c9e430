from __future__ import annotations

import pytest

from envyard import plugins
from envyard.errors import PluginError


def test_builtin_plugins_are_entry_points() -> None:
    assert plugins.available("backend") == ["container", "kubernetes", "local", "ray"]
    assert set(plugins.available("prerequisite")) >= {"cmd", "data", "docker", "git", "pip"}
    assert plugins.load("backend", "local").__name__ == "LocalBackend"


def test_unknown_plugin_lists_the_known_ones() -> None:
    with pytest.raises(PluginError) as info:
        plugins.load("backend", "slurm")
    assert "unknown backend plugin 'slurm'" in str(info.value)
    assert "known backend plugins: container, kubernetes, local, ray" in str(info.value)
