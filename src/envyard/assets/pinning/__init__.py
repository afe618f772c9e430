"""Pinning a build context and its lock file: see :mod:`envyard.assets` for the map."""
