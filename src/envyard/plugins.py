"""The only place that reads entry points: backends, prerequisite plugins, tag resolvers.

Built-in plugins are declared in Envyard's own ``pyproject.toml`` exactly like third-party
ones, and are imported only when used. An unknown name lists the available ones; a plugin
whose optional extra is missing names the extra to install.

Backends ("where it runs") are one group for jobs, ``env launch`` and ``nb test``:
:func:`backend` builds one for a capability and says which backends have it when this one
does not. Envyard's own entry points are read first, straight from its ``entry_points.txt``
(importlib.metadata, which reads every installed distribution's metadata, is imported only
for names Envyard does not declare and for listing), so a launch pays nothing for plugins it
does not use; a built-in name cannot be taken over by another distribution.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:
    from envyard.backends.interface import Backend, Capability

GROUPS: Final = {
    "backend": "envyard.backends",
    "prerequisite": "envyard.prerequisites",
    "resolver": "envyard.resolvers",
}
EXTRAS: Final = {"ray": "envyard[ray]", "kubernetes": "envyard[k8s]"}
_OWN_DIST = re.compile(r"envyard-[^-]+\.dist-info")


@functools.cache
def _own_entry_points() -> dict[str, dict[str, str]]:
    """Envyard's own entry points, ``group -> name -> "module:attribute"``, read straight from
    the first ``envyard-*.dist-info/entry_points.txt`` on ``sys.path`` (as importlib.metadata
    finds it, without importing it: a launch has no time to spare)."""
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                found = [e.path for e in entries if _OWN_DIST.fullmatch(e.name)]
        except OSError:
            continue
        for dist in sorted(found):
            try:
                text = Path(dist, "entry_points.txt").read_text(encoding="utf-8")
            except OSError:
                continue
            return _parse(text)
    return {}


def _parse(text: str) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1].strip(), {})
        elif current is not None and "=" in line:
            name, _, value = line.partition("=")
            current[name.strip()] = value.split("[")[0].strip()  # drop legacy [extras]
    return groups


def _entry_points(kind: str) -> dict[str, str]:
    """Every installed distribution's entry points of ``kind``; Envyard's own names win."""
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group=GROUPS[kind])}
    return {**found, **_own_entry_points().get(GROUPS[kind], {})}


def _import(value: str) -> Any:
    module, _, attribute = value.partition(":")
    found: Any = importlib.import_module(module.strip())
    for part in filter(None, attribute.strip().split(".")):
        found = getattr(found, part)
    return found


OPENPAI_RUNTIME_PLUGIN = "com.microsoft.pai.runtimeplugin."
"""OpenPAI's runtime names its plugins ``com.microsoft.pai.runtimeplugin.<name>`` (its docs'
prerequisite example uses ``com.microsoft.pai.runtimeplugin.cmd``): the same plugin here."""


def prerequisite_plugin(name: str) -> str:
    """The prerequisite plugin a job's ``plugin`` field names (OpenPAI's spelling accepted)."""
    return name[len(OPENPAI_RUNTIME_PLUGIN) :] if name.startswith(OPENPAI_RUNTIME_PLUGIN) else name


def available(kind: str) -> list[str]:
    """Names of the installed plugins of ``kind`` (backend, prerequisite, resolver)."""
    return sorted(_entry_points(kind))


def load(kind: str, name: str) -> Any:
    """The object an entry point names; PluginError lists the known names when unknown."""
    found = _own_entry_points().get(GROUPS[kind], {})
    if name not in found:
        found = _entry_points(kind)
    if name not in found:
        from envyard.errors import PluginError

        known = ", ".join(sorted(found)) or "none installed"
        raise PluginError(
            f"unknown {kind} plugin '{name}'",
            hint=f"known {kind} plugins: {known}",
        )
    try:
        return _import(found[name])
    except ModuleNotFoundError as exc:
        from envyard.errors import MissingDependencyError

        top = (exc.name or "").split(".")[0]
        extra = EXTRAS.get(top)
        if extra:
            raise MissingDependencyError(
                f"the {kind} plugin '{name}' needs {top}, which is not installed",
                hint=f"pip install '{extra}'",
            ) from None
        raise


def capabilities_of(plugin: Any) -> frozenset[str]:
    """What a backend class (or factory) serves; one without ``capabilities`` runs jobs."""
    return frozenset(getattr(plugin, "capabilities", frozenset({"job"})))


def backends_for(capability: Capability) -> list[str]:
    """Installed backends that have ``capability`` (each one's module is imported)."""
    from envyard.errors import MissingDependencyError, PluginError

    names = []
    for name in available("backend"):
        try:
            plugin = load("backend", name)
        except (MissingDependencyError, PluginError, ImportError):
            continue  # listed only when it can be used
        if capability in capabilities_of(plugin):
            names.append(name)
    return names


def backend(
    name: str, capability: Capability, settings: Mapping[str, Any] | None = None
) -> Backend:
    """The backend ``name`` built with ``settings``, refused when it lacks ``capability``."""
    factory = load("backend", name)
    if capability not in capabilities_of(factory):
        from envyard.backends.interface import CAPABILITIES  # pydantic models: errors only
        from envyard.errors import PluginError

        can = ", ".join(backends_for(capability)) or "none installed"
        raise PluginError(
            f"backend '{name}' cannot be used by `envyard {CAPABILITIES[capability]}`",
            hint=f"backends that can: {can}",
        )
    return cast("Backend", factory(dict(settings or {})))
