"""What every built-in plugin shares: callbacks rendered as shell, parameter helpers."""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.spec.job import Prerequisite

__all__ = ["callback_fragments", "env_suffix", "param", "relative_dest", "uris"]


def callback_fragments(prerequisite: Prerequisite, context: RenderContext) -> list[Fragment]:
    """The prerequisite's ``callbacks``: shell commands, templated and quoted."""
    out = []
    for i, callback in enumerate(prerequisite.callbacks):
        fields = [f"callbacks[{i}].commands[{j}]" for j in range(len(callback.commands))]
        if context.render_lines is not None:
            lines = tuple(context.render_lines(callback.commands, fields))
        else:
            lines = tuple(map(context.render, callback.commands, fields))
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


def confined_local_path(prerequisite: Prerequisite, source: str, path: Path, base: Path) -> Path:
    """A local path a prerequisite reads: relative ones stay inside ``base`` (the job's folder),
    absolute ones must lie under one of ``ENVYARD_DATA_ROOTS`` (set by the operator)."""
    from envyard.settings import load_settings

    if not path.is_absolute():
        resolved = (base.resolve() / path).resolve()
        if not resolved.is_relative_to(base.resolve()):
            raise PluginError(
                f"prerequisite '{prerequisite.name}' uri: '{source}' leaves the job's folder "
                f"{base.resolve()}",
                hint="keep it inside the job's folder, or give an absolute path under "
                "ENVYARD_DATA_ROOTS",
            )
        return no_links_out(prerequisite, source, resolved)
    resolved = path.resolve()
    roots = (base.resolve(), *load_settings().data_roots)
    if not any(resolved.is_relative_to(root) for root in roots):
        shown = ":".join(str(r) for r in roots[1:]) or "not set"
        raise PluginError(
            f"prerequisite '{prerequisite.name}' uri: '{source}' is outside the job's folder "
            f"and the allowed data roots (ENVYARD_DATA_ROOTS: {shown})",
            hint=f"an operator can allow it: export ENVYARD_DATA_ROOTS={resolved.parent}",
        )
    return no_links_out(prerequisite, source, resolved)


def no_links_out(prerequisite: Prerequisite, source: str, folder: Path) -> Path:
    """A folder that is copied must not carry a symbolic link resolving outside it: links inside
    are copied as their targets (``cp -RL``), a link leaving it is refused."""
    if not folder.is_dir():
        return folder
    for top, dirs, files in os.walk(folder):
        for entry in (*dirs, *files):
            link = Path(top) / entry
            if not link.is_symlink():
                continue
            target = link.resolve()
            if not target.is_relative_to(folder):
                raise PluginError(
                    f"prerequisite '{prerequisite.name}' uri: '{source}' holds a symbolic link "
                    f"{link.relative_to(folder)} -> {link.readlink()} that leaves the folder",
                    hint="copy the file into the folder, or remove the link",
                )
    return folder
