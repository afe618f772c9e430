"""Template tags, pinning and lock files: see :mod:`envyard.assets` for the map."""
