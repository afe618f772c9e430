"""Validation rules and their runner: see :mod:`envyard.assets` for the map."""
