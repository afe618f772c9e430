"""Envyard: define an ML environment once and run it anywhere."""

__version__ = "0.1.0"
__all__ = ["__version__"]
