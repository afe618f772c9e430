"""Alembic migrations of the metastore, run by :mod:`envyard.registry.migrate` (no ``alembic``
command needed): ``env`` (the Alembic environment) and ``versions/`` (one file per schema step).
"""
