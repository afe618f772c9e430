"""Release branches, publishing, deprecation: see :mod:`envyard.assets` for the map."""
