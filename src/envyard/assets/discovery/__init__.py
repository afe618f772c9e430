"""Find and load assets: see :mod:`envyard.assets` for the map."""
