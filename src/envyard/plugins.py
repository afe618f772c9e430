"""The only place that reads entry points: backends, prerequisite plugins, tag resolvers.

Built-in plugins are declared in Envyard's own ``pyproject.toml`` exactly like third-party
ones, and are imported only when used. An unknown name lists the available ones; a plugin
whose optional extra is missing names the extra to install.

Backends ("where it runs") are one group for jobs, ``env launch`` and ``nb test``:
:func:`backend` builds one for a capability and says which backends have it when this one
does not. Envyard's own entry points are read first (one small file, not every installed
distribution's metadata), so a launch pays nothing for plugins it does not use; a built-in
name cannot be taken over by another distribution.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import EntryPoint, PackageNotFoundError, distribution, entry_points
from typing import TYPE_CHECKING, Any, Final, cast

from envyard.errors import MissingDependencyError, PluginError

if TYPE_CHECKING:
    from envyard.backends.interface import Backend, Capability

GROUPS: Final = {
    "backend": "envyard.backends",
    "prerequisite": "envyard.prerequisites",
    "resolver": "envyard.resolvers",
}
EXTRAS: Final = {"ray": "envyard[ray]", "kubernetes": "envyard[k8s]"}


def _own(kind: str) -> dict[str, EntryPoint]:
    try:
        eps = distribution("envyard").entry_points.select(group=GROUPS[kind])
    except PackageNotFoundError:  # running from a source tree that was never installed
        return {}
    return {ep.name: ep for ep in eps}


def _entry_points(kind: str) -> dict[str, EntryPoint]:
    found = {ep.name: ep for ep in entry_points(group=GROUPS[kind])}
    return {**found, **_own(kind)}


def available(kind: str) -> list[str]:
    """Names of the installed plugins of ``kind`` (backend, prerequisite, resolver)."""
    return sorted(_entry_points(kind))


def load(kind: str, name: str) -> Any:
    """The object an entry point names; PluginError lists the known names when unknown."""
    found = _own(kind)
    if name not in found:
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


def capabilities_of(plugin: Any) -> frozenset[str]:
    """What a backend class (or factory) serves; one without ``capabilities`` runs jobs."""
    return frozenset(getattr(plugin, "capabilities", frozenset({"job"})))


def backends_for(capability: Capability) -> list[str]:
    """Installed backends that have ``capability`` (each one's module is imported)."""
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
    from envyard.backends.interface import CAPABILITIES

    factory = load("backend", name)
    if capability not in capabilities_of(factory):
        can = ", ".join(backends_for(capability)) or "none installed"
        raise PluginError(
            f"backend '{name}' cannot be used by `envyard {CAPABILITIES[capability]}`",
            hint=f"backends that can: {can}",
        )
    return cast("Backend", factory(dict(settings or {})))
