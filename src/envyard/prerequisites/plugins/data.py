"""``data``: fetch files over http(s) or copy a local path, optionally checking a checksum.

Parameters: ``uri`` (one or a list: ``https://...``, ``http://...``, ``file:///abs`` or a
path; relative paths are relative to the job file and must stay inside its folder; absolute
ones must lie under an operator's ``ENVYARD_DATA_ROOTS``),
``checksum`` (``sha256:<hex>`` or ``sha512:<hex>``, one per uri), ``dest`` (a folder inside
the run directory, default ``data/<name>``), ``filename`` (for a single http uri). The folder
is exported as ``ENVYARD_DATA_<NAME>``. Callbacks run after the download, like ``cmd``'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from envyard.errors import PluginError
from envyard.prerequisites.interface import Fragment, RenderContext
from envyard.prerequisites.plugins.base import (
    callback_fragments,
    confined_local_path,
    env_suffix,
    param,
    relative_dest,
    uris,
)
from envyard.spec.job import Prerequisite

_CHECKSUM = re.compile(r"^(sha256|sha512):([0-9a-fA-F]+)$")
_HEX_LEN = {"sha256": 64, "sha512": 128}


class DataPlugin:
    name = "data"

    def fragments(self, prerequisite: Prerequisite, context: RenderContext) -> Sequence[Fragment]:
        name = prerequisite.name
        sources = uris(prerequisite)
        if not sources:
            raise PluginError(f"prerequisite '{name}' uri: the data plugin needs a uri")
        checksums = self._checksums(prerequisite, len(sources))
        folder = '"$ENVYARD_RUN_DIR"/' + context.quote(relative_dest(prerequisite, f"data/{name}"))
        lines = [f"mkdir -p {folder}"]
        for source, checksum in zip(sources, checksums, strict=True):
            target = self._target(prerequisite, source, context, single=len(sources) == 1)
            lines.append(f"envyard_fetch {target[0]} {folder}/{context.quote(target[1])}")
            if checksum:
                algo, digest = checksum
                lines.append(
                    f"envyard_verify {folder}/{context.quote(target[1])} {algo} {digest.lower()}"
                )
        lines.append(f"export ENVYARD_DATA_{env_suffix(name)}={folder}")
        fetch = Fragment("containerStart", tuple(lines), prerequisite.failurePolicy, "download")
        return [fetch, *callback_fragments(prerequisite, context)]

    def _checksums(self, prerequisite: Prerequisite, count: int) -> list[tuple[str, str] | None]:
        raw = prerequisite.parameters.get("checksum")
        if raw is None:
            return [None] * count
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or len(items) != count:
            raise PluginError(
                f"prerequisite '{prerequisite.name}' checksum: give one checksum per uri ({count})"
            )
        out: list[tuple[str, str] | None] = []
        for item in items:
            match = _CHECKSUM.match(str(item)) if item is not None else None
            if item is not None and (not match or len(match.group(2)) != _HEX_LEN[match.group(1)]):
                raise PluginError(
                    f"prerequisite '{prerequisite.name}' checksum: '{item}' is not "
                    "sha256:<64 hex> or sha512:<128 hex>"
                )
            out.append((match.group(1), match.group(2)) if match else None)
        return out

    def _target(
        self, prerequisite: Prerequisite, source: str, context: RenderContext, *, single: bool
    ) -> tuple[str, str]:
        """(quoted source for envyard_fetch, file name in the folder)."""
        parts = urlsplit(source)
        if parts.scheme in ("http", "https"):
            filename = param(prerequisite, "filename", str) if single else None
            filename = filename or Path(unquote(parts.path)).name or "download"
            if "/" in filename or filename in (".", ".."):
                raise PluginError(f"prerequisite '{prerequisite.name}' filename: '{filename}'")
            return context.quote(source), filename
        if parts.scheme not in ("", "file"):
            raise PluginError(
                f"prerequisite '{prerequisite.name}' uri: unsupported scheme '{parts.scheme}' "
                "(http, https, file or a path)"
            )
        path = Path(unquote(parts.path) if parts.scheme == "file" else source)
        path = confined_local_path(prerequisite, source, path, context.base_dir)
        context.reads(path)
        return context.quote(str(path)), path.name or "data"
