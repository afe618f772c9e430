"""Submission-time overrides: per-target rules applied to staged copies of specs.

``with staged([Path("pipeline.yaml")], target="eyeson") as s:`` gives ``s.root`` (the staging
folder), ``s.paths`` (original -> staged copy), ``s.changes`` (original -> changed fields) and
``s.warnings`` (rules that matched or changed nothing); the folder is removed on exit unless
``out=`` is given. The user's files are only ever read. See ``docs/overrides.md``.

The package, by what it does (dependencies point down the list; no cycles):

- ``profiles/``: what the user wrote — the ``tenant_overrides`` block (the RFC's layout and
  shrike's), ``targets.yaml``, tenant detection (``--target``, ``ENVYARD_TARGET``, the
  pipeline's ``aml`` config, the workspace ``config.json``) and the profile that applies.
- ``matching/``: which fields a rule selects and what each becomes (JSONPath, literal and
  regular-expression substitution, operations, ``remove_polymer_pkg_idx``).
- ``editing/``: the new data written back as the smallest edits of the original text, re-read
  and compared with the intended data.
- ``staging/``: which files are staged (pipelines, ``use_local``, references), the plan, and
  writing it (stale folders of killed runs removed).
- ``report.py``: the diff and the rule-by-rule explanation, for people.
"""

from envyard.overrides.matching.apply import apply_rules
from envyard.overrides.matching.rules import Change, Rule
from envyard.overrides.profiles.load import OverrideProfiles, load_profiles
from envyard.overrides.profiles.targets import ResolvedTarget, resolve_target
from envyard.overrides.staging import Plan, StagedSpecs, plan, stage, staged

__all__ = [
    "Change",
    "OverrideProfiles",
    "Plan",
    "ResolvedTarget",
    "Rule",
    "StagedSpecs",
    "apply_rules",
    "load_profiles",
    "plan",
    "resolve_target",
    "stage",
    "staged",
]
