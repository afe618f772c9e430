"""Build-file tag resolvers, loaded by name through ``envyard.plugins`` (group
``envyard.resolvers``): ``latest-image-tag`` and ``latest-pypi-version``. A third-party
resolver implements :class:`~envyard.assets.resolvers.base.Resolver`."""

from envyard.assets.resolvers.base import Resolution, ResolveContext, Resolver

__all__ = ["Resolution", "ResolveContext", "Resolver"]
