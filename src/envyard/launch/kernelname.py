"""A kernel's name as a directory and shell word (stdlib ``re`` only: the cached re-launch
imports it without :mod:`.kernelspec`'s dataclass)."""

from __future__ import annotations

import re

__all__ = ["safe_kernel_name"]

_KERNEL_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_kernel_name(raw: str) -> str:
    """*raw* reduced to letters, digits, ``.``, ``_`` and ``-`` (a directory and shell word)."""
    return _KERNEL_NAME.sub("-", raw).strip("-") or "kernel"
