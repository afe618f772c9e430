"""Image builds and asset tests: see :mod:`envyard.assets` for the map."""
