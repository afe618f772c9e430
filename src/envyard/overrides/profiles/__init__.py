"""Profiles: what the user wrote, and which profile applies to a submission.

- ``load.py``: the ``tenant_overrides`` block in the RFC's and in shrike's layout, compiled.
- ``targets.py``: ``targets.yaml``, tenant detection in shrike's order and the profile a target
  uses; ``shrike.py``: a shrike pipeline's hydra config (``defaults: - aml: NAME`` ->
  ``config/aml/NAME.yaml`` -> ``tenant``; the module manifest; ``use_local``).
- ``project.py``: where a project keeps its overrides and targets files.
"""
