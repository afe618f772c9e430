"""The only place that reads entry points: backends, prerequisite plugins, tag resolvers.

Built-in plugins are declared in Envyard's own ``pyproject.toml`` exactly like third-party
ones, and are imported only when used. An unknown name lists the available ones; a plugin
whose optional extra is missing names the extra to install.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Any, Final

from envyard.errors import MissingDependencyError, PluginError

GROUPS: Final = {
    "backend": "envyard.backends",
    "prerequisite": "envyard.prerequisites",
    "resolver": "envyard.resolvers",
}
EXTRAS: Final = {"ray": "envyard[ray]", "kubernetes": "envyard[k8s]"}


def _entry_points(kind: str) -> dict[str, EntryPoint]:
    group = GROUPS[kind]
    return {ep.name: ep for ep in entry_points(group=group)}


def available(kind: str) -> list[str]:
    """Names of the installed plugins of ``kind`` (backend, prerequisite, resolver)."""
    return sorted(_entry_points(kind))


def load(kind: str, name: str) -> Any:
    """The object an entry point names; PluginError lists the known names when unknown."""
    found = _entry_points(kind)
    if name not in found:
        known = ", ".join(sorted(found)) or "none installed"
        raise PluginError(
            f"unknown {kind} plugin '{name}'",
            hint=f"known {kind} plugins: {known}",
        )
    try:
        return found[name].load()
    except ModuleNotFoundError as exc:
        top = (exc.name or "").split(".")[0]
        extra = EXTRAS.get(top)
        if extra:
            raise MissingDependencyError(
                f"the {kind} plugin '{name}' needs {top}, which is not installed",
                hint=f"pip install '{extra}'",
            ) from None
        raise
