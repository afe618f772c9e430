"""Envyard: define an ML environment once and run it anywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Client", "__version__"]

if TYPE_CHECKING:
    from envyard.client import Client


def __getattr__(name: str) -> Any:
    """``envyard.Client`` is imported on first use, so ``import envyard`` stays light."""
    if name == "Client":
        from envyard.client import Client

        return Client
    raise AttributeError(f"module 'envyard' has no attribute {name!r}")
