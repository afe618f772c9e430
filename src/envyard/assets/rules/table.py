"""The validation rules: each has an id, a default severity, and can be configured.

``[assets.rules]`` in ``envyard.toml`` turns a rule off, on (AST007 is off by default) or
changes its severity. Rules that look at one asset get (asset, context); repository-wide
rules (uniqueness) run once over every asset. ``envyard asset validate --list-rules`` prints
this table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from envyard.assets.config import AssetSettings, Severity
from envyard.assets.discovery.model import Asset
from envyard.assets.rules.context import RuleContext
from envyard.errors import Diagnostic

Check = Callable[[Asset, RuleContext], Iterable[Diagnostic]]
RepoCheck = Callable[[RuleContext], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    summary: str
    severity: Severity = "error"
    enabled: bool = True
    environment_only: bool = False
    check: Check | None = None
    repo_check: RepoCheck | None = None
    needs_repo: bool = False
    """The per-asset check reads repository-wide context (runs after every asset loaded)."""
    prepare: Callable[[Asset, RuleContext], object] | None = None
    """A ``needs_repo`` check's part that needs only its asset, run where the asset is loaded
    (in its forked batch); it keeps what it computes on the asset."""


_TABLE: dict[str, Rule] = {}


def rule_table() -> dict[str, Rule]:
    """Rule id -> rule, in id order (a new dict each call; the rules are built once: every
    batch of a validation run asks)."""
    if not _TABLE:
        _TABLE.update(_build_table())
    return dict(_TABLE)


def _build_table() -> dict[str, Rule]:
    from envyard.assets.rules import environment as rules_env
    from envyard.assets.rules import generic as rules_generic

    table = [
        Rule("AST001", "config-loads", "asset.yaml, environment.yaml and the spec load"),
        Rule(
            "AST002",
            "files-exist",
            "files the configs name exist (spec, description, context, Dockerfile)",
            check=rules_generic.files_exist,
        ),
        Rule(
            "AST003",
            "spec-matches-asset",
            "the spec's name and version agree with asset.yaml",
            check=rules_generic.spec_matches,
        ),
        Rule(
            "AST004",
            "unique-name",
            "type + name is unique in the repository",
            repo_check=rules_generic.unique_names,
        ),
        Rule(
            "AST005",
            "unique-image",
            "each published image belongs to one asset",
            repo_check=rules_env.unique_images,
        ),
        Rule(
            "AST006",
            "environment-name",
            "environment naming convention: versions on framework/OS/driver parts, ordered",
            environment_only=True,
            check=rules_env.environment_name,
        ),
        Rule(
            "AST007",
            "auto-version",
            "environments use `version: auto` (opt-in)",
            enabled=False,
            environment_only=True,
            check=rules_env.auto_version,
        ),
        Rule(
            "AST008",
            "image-name",
            "image name is <image_prefix><environment name>",
            environment_only=True,
            check=rules_env.image_name,
        ),
        Rule(
            "AST009",
            "publish",
            "publish location and visibility are set and allowed",
            environment_only=True,
            check=rules_env.publish,
        ),
        Rule(
            "AST010",
            "no-extra-index-url",
            "no --extra-index-url in the build context or test requirements",
            check=rules_env.no_extra_index_url,
        ),
        Rule(
            "AST011",
            "test-paths",
            "pytest tests_dir and pip_requirements exist",
            check=rules_generic.test_paths,
        ),
        Rule(
            "AST012",
            "no-curated-base",
            "the Dockerfile does not build FROM a curated image",
            environment_only=True,
            check=rules_env.no_curated_base,
            needs_repo=True,
            prepare=rules_env.base_images,
        ),
        Rule(
            "AST013",
            "release-paths",
            "release paths exist; every path an asset names stays inside the repository",
            check=rules_generic.release_paths,
        ),
        Rule(
            "AST014",
            "template-tags",
            "build-file template tags are known and well formed",
            check=rules_generic.template_tags,
        ),
        Rule(
            "AST015",
            "spec-tags",
            "environment specs carry the required_spec_tags (none by default)",
            environment_only=True,
            check=rules_env.required_tags,
        ),
        Rule(
            "AST016",
            "unknown-field",
            "every key of asset.yaml and its extra_config is a known field",
            severity="warning",
        ),
        Rule(
            "AST017",
            "name-advice",
            "environment names carry a framework and no python version",
            severity="warning",
            environment_only=True,
            check=rules_env.environment_name_advice,
        ),
        Rule(
            "AST018",
            "asset-name",
            "asset names: allowed characters, no forbidden words (azureml, aml, the type...)",
            check=rules_env.asset_name,
        ),
        Rule(
            "AST019",
            "spec-paths",
            "the spec's $schema fits the asset type; its code folder and data path exist",
            check=rules_generic.spec_paths,
        ),
        Rule(
            "AST020",
            "delete-on",
            "a DeleteOn spec tag is a date (YYYY-MM-DD); release --publish refuses others",
            severity="warning",
            check=rules_generic.delete_on,
        ),
        Rule(
            "AST021",
            "spec-template-tags",
            "a spec's {{...}} tags are ours ({{asset.*}}, {{image.*}}); others stay as written",
            severity="warning",
            check=rules_generic.spec_tags,
        ),
        Rule(
            "AST022",
            "template-files-exist",
            "the template files of the build context exist (a missing one is skipped)",
            severity="warning",
            check=rules_generic.template_files_exist,
        ),
    ]
    return {r.id: r for r in table}


def effective(rule: Rule, settings: AssetSettings) -> tuple[bool, Severity]:
    configured = settings.rule(rule.id)
    if configured is None:
        return rule.enabled, rule.severity
    return configured.enabled, configured.severity or rule.severity
