"""The bootstrap script shipped with Envyard (package data), and a runnable copy of it."""

from __future__ import annotations

import hashlib
import secrets
from importlib import resources
from pathlib import Path

__all__ = ["BOOTSTRAP_NAME", "bootstrap_path", "bootstrap_text", "installed_bootstrap"]

BOOTSTRAP_NAME = "envyard-bootstrap.sh"


def bootstrap_text() -> str:
    """The script's text (``envyard/launch/envyard-bootstrap.sh``)."""
    return resources.files("envyard.launch").joinpath(BOOTSTRAP_NAME).read_text("utf-8")


def bootstrap_path(cache_root: Path) -> Path:
    """Where :func:`installed_bootstrap` puts the script (nothing is written)."""
    digest = hashlib.sha256(bootstrap_text().encode("utf-8")).hexdigest()[:16]
    return cache_root / "bootstrap" / digest / BOOTSTRAP_NAME


def installed_bootstrap(cache_root: Path) -> Path:
    """An executable copy under *cache_root*, written atomically, named by its hash.

    Containers mount this file as their entrypoint; a copy guarantees the executable bit
    whatever the installer did to package data.
    """
    text = bootstrap_text()
    target = bootstrap_path(cache_root)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{BOOTSTRAP_NAME}.{secrets.token_hex(4)}")
    tmp.write_text(text, encoding="utf-8")
    tmp.chmod(0o755)
    tmp.replace(target)
    return target
