"""Staging: which files a submission stages, their staged texts, and writing them.

- ``scope.py``: the files in scope — the specs named, what a pipeline YAML stands for
  (``pipelines.py``: ``module_loader``, ``use_local``), the files they reference.
- ``planner.py``: every staged text computed in memory (nothing written); ``model.py``: the plan's
  value objects.
- ``write.py``: writing a plan (a fresh folder; ``--out`` through a work folder next to it);
  ``stale.py``: folders of killed runs removed by the next run; ``fsio.py``: plain ``os``
  calls for thousands of small files.
- ``run.py``: :func:`stage` and the context manager :func:`staged`.
"""

from envyard.overrides.staging.model import FilePlan, Plan, StagedSpecs
from envyard.overrides.staging.planner import plan
from envyard.overrides.staging.run import stage, staged

__all__ = ["FilePlan", "Plan", "StagedSpecs", "plan", "stage", "staged"]
