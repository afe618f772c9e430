"""``envyard asset validate``: run every enabled rule over the discovered assets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.config import AssetSettings, load_asset_settings
from envyard.assets.discover import Discovery, discover_files, find_asset_files, repo_root
from envyard.assets.model import Asset
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


def _run_rules(assets: list[Asset], ctx: RuleContext, *, repo_wide: bool) -> list[Diagnostic]:
    """Per-asset rules (``repo_wide`` False) or the rules that need every asset (True)."""
    out: list[Diagnostic] = []
    for rule in rule_table().values():
        enabled, severity = effective(rule, ctx.settings)
        if not enabled:
            continue
        if repo_wide and rule.repo_check is not None:
            out.extend(_tag(rule.repo_check(ctx), rule, severity))
        if rule.check is None or rule.needs_repo != repo_wide:
            continue
        for asset in assets:
            if rule.environment_only and asset.type != "environment":
                continue
            out.extend(_tag(rule.check(asset, ctx), rule, severity))
    return out


def _discovery_diagnostics(found: Discovery, settings: AssetSettings) -> list[Diagnostic]:
    rules = rule_table()
    out: list[Diagnostic] = []
    for diag in found.diagnostics:
        rule = rules.get(diag.rule or "AST001", rules["AST001"])
        enabled, severity = effective(rule, settings)
        if enabled:
            out.extend(_tag([diag], rule, severity))
    return out


def _context(assets: list[Asset], settings: AssetSettings) -> RuleContext:
    images = {img for a in assets if (img := published_image(a))}
    ctx = RuleContext(settings=settings, assets=assets, curated_images=images)
    for asset in assets:  # spec files were read at discovery: the rules scan the same text
        if asset.spec_path is not None and asset.spec_text is not None:
            ctx.seed(asset.spec_path, asset.spec_text)
    return ctx


def _finish(assets: list[Asset], out: list[Diagnostic], settings: AssetSettings) -> AssetReport:
    report = AssetReport(assets=len(assets), rules=rule_table())
    out = out + _run_rules(assets, _context(assets, settings), repo_wide=True)
    unique = {(d.file, d.line, d.col, d.message): d for d in out}
    report.diagnostics = sorted(
        unique.values(), key=lambda d: (d.file, d.line, d.col, d.rule or "")
    )
    return report


def validate_discovery(found: Discovery, settings: AssetSettings) -> AssetReport:
    ctx = _context(found.assets, settings)
    out = _discovery_diagnostics(found, settings)
    out += _run_rules(found.assets, ctx, repo_wide=False)
    return _finish(found.assets, out, settings)


def validate_assets(
    paths: list[Path], settings: AssetSettings | None = None, root: Path | None = None
) -> AssetReport:
    """Validate every asset below ``paths`` with the repository's settings."""
    targets = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    base = (root or repo_root(targets[0])).resolve()
    settings = settings or load_asset_settings(base)
    return validate_discovery(discover_files(find_asset_files(targets), base), settings)
