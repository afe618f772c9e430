"""``envyard asset validate``: run every enabled rule over the discovered assets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.config import AssetSettings, load_asset_settings
from envyard.assets.discover import Discovery, discover, repo_root
from envyard.assets.rules import Rule, RuleContext, effective, rule_table
from envyard.assets.rules_env import published_image
from envyard.errors import Diagnostic


@dataclass
class AssetReport:
    assets: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rules: dict[str, Rule] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        return (
            f"validated {self.assets} asset{'s' if self.assets != 1 else ''}: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": not self.errors,
            "assets": self.assets,
            "summary": self.summary(),
            "diagnostics": [d.as_dict() for d in self.diagnostics],
        }


def _tag(diags: Iterable[Diagnostic], rule: Rule, severity: str) -> list[Diagnostic]:
    return [
        Diagnostic(
            d.file,
            d.line,
            d.col,
            d.field,
            d.message,
            d.hint,
            severity,  # type: ignore[arg-type]
            d.rule or rule.id,
        )
        for d in diags
    ]


def validate_discovery(found: Discovery, settings: AssetSettings) -> AssetReport:
    rules = rule_table()
    report = AssetReport(assets=len(found.assets), rules=rules)
    ctx = RuleContext(
        settings=settings,
        assets=found.assets,
        curated_images={img for a in found.assets if (img := published_image(a))},
    )
    out: list[Diagnostic] = []
    for diag in found.diagnostics:
        rule = rules.get(diag.rule or "AST001", rules["AST001"])
        enabled, severity = effective(rule, settings)
        if enabled:
            out.extend(_tag([diag], rule, severity))
    for rule in rules.values():
        enabled, severity = effective(rule, settings)
        if not enabled:
            continue
        if rule.repo_check is not None:
            out.extend(_tag(rule.repo_check(ctx), rule, severity))
        if rule.check is None:
            continue
        for asset in found.assets:
            if rule.environment_only and asset.type != "environment":
                continue
            out.extend(_tag(rule.check(asset, ctx), rule, severity))
    unique = {(d.file, d.line, d.col, d.message): d for d in out}
    report.diagnostics = sorted(
        unique.values(), key=lambda d: (d.file, d.line, d.col, d.rule or "")
    )
    return report


def validate_assets(
    paths: list[Path], settings: AssetSettings | None = None, root: Path | None = None
) -> AssetReport:
    """Validate every asset below ``paths`` with the repository's settings."""
    targets = paths or [Path.cwd()]
    base = root or repo_root(targets[0])
    return validate_discovery(discover(targets, base), settings or load_asset_settings(base))
