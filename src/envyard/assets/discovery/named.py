# ruff: noqa: PTH110, PTH118 - os.path on strings: thousands of assets
"""The paths an asset's spec names beside its own folder: a component's ``code``, a data
asset's ``path``/``data_uri``, the build context. :mod:`.confine` keeps them inside the
repository; :mod:`.paths` and the azureml-assets layout release them."""

from __future__ import annotations

import os
from typing import Any

from envyard.assets.discovery.model import Asset

__all__ = ["local", "released_extras", "spec_code"]


def local(value: Any) -> str | None:
    """A spec value naming a local path (not a URL, ``azureml:`` or ``git+`` reference)."""
    if not isinstance(value, str) or not value or "://" in value:
        return None
    return None if value.startswith(("azureml:", "git+")) else value


def spec_code(spec: dict[str, Any]) -> tuple[tuple[str, ...], Any]:
    """(field, value) of a component's code folder: ``code``, or ``task.code`` (parallel)."""
    if spec.get("code"):
        return ("code",), spec["code"]
    task = spec.get("task")
    return ("task", "code"), (task.get("code") if isinstance(task, dict) else None)


def released_extras(asset: Asset) -> list[str]:
    """What a release carries besides the asset's own files, as the reference releases it: a
    component's ``code``, a data asset's ``path``/``data_uri`` (relative to the spec) and the
    build context — normalized absolute paths that exist (files or folders)."""
    out: list[str] = []
    if asset.spec_path is not None:
        spec, spec_dir = asset.spec_data, str(asset.spec_path.parent)
        for value in (spec_code(spec)[1], spec.get("path"), spec.get("data_uri")):
            extra = local(value)
            if extra:
                out.append(os.path.normpath(os.path.join(spec_dir, extra)))
    if asset.context_dir is not None:
        out.append(os.path.normpath(str(asset.context_dir)))
    return [p for p in dict.fromkeys(out) if os.path.exists(p)]
