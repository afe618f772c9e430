"""What every built-in plugin shares: callbacks rendered as shell, parameter helpers."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.spec.job import Prerequisite

__all__ = ["callback_fragments", "env_suffix", "param", "relative_dest", "uris"]


def callback_fragments(prerequisite: Prerequisite, context: RenderContext) -> list[Fragment]:
    """The prerequisite's ``callbacks``: shell commands, templated and quoted."""
    out = []
    for i, callback in enumerate(prerequisite.callbacks):
        lines = tuple(
            context.render(command, f"callbacks[{i}].commands[{j}]")
            for j, command in enumerate(callback.commands)
        )
        policy = callback.failurePolicy or prerequisite.failurePolicy
        out.append(Fragment(callback.event, lines, policy, f"callbacks[{i}]"))
    return out


def param(prerequisite: Prerequisite, key: str, kind: type, default: Any = None) -> Any:
    value = prerequisite.parameters.get(key, default)
    if value is not None and not isinstance(value, kind):
        raise PluginError(
            f"prerequisite '{prerequisite.name}' {key}: expected {kind.__name__}, "
            f"got {type(value).__name__}"
        )
    return value


def uris(prerequisite: Prerequisite) -> list[str]:
    uri = prerequisite.uri
    if uri is None:
        return []
    return [uri] if isinstance(uri, str) else list(uri)


def env_suffix(name: str) -> str:
    """``covid-data`` -> ``COVID_DATA`` (for ENVYARD_DATA_<NAME> variables)."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def relative_dest(prerequisite: Prerequisite, default: str) -> str:
    """``dest`` parameter: a relative path inside the run directory (no ``..``)."""
    dest = param(prerequisite, "dest", str, default)
    path = PurePosixPath(dest)
    if path.is_absolute() or ".." in path.parts:
        raise PluginError(
            f"prerequisite '{prerequisite.name}' dest: '{dest}' must be a relative path "
            "inside the run directory",
            hint="e.g. dest: data/covid (it lands in $ENVYARD_RUN_DIR/data/covid)",
        )
    return str(path)
