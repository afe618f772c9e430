"""Submission-time overrides: per-target rules applied to staged copies of specs.

``with staged([Path("pipeline.yaml")], target="eyeson") as s:`` gives ``s.root`` (the staging
folder), ``s.paths`` (original -> staged copy), ``s.changes`` (original -> changed fields) and
``s.warnings`` (rules that matched nothing); the folder is removed on exit unless ``out=`` is
given. The user's files are only ever read. See ``docs/overrides.md``.
"""

from envyard.overrides.engine import apply_rules
from envyard.overrides.profiles import OverrideProfiles, load_profiles
from envyard.overrides.rules import Change, Rule
from envyard.overrides.staging import Plan, StagedSpecs, plan, stage, staged
from envyard.overrides.targets import ResolvedTarget, resolve_target

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
