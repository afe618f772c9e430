"""Suite-wide pytest configuration: the real-server fixtures of :mod:`envyard.testing`.

``pytester`` runs inner pytest sessions (used to check how the fixtures fail).
"""

pytest_plugins = ["envyard.testing.plugin", "envyard.testing.ray", "pytester"]
