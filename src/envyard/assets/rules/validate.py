"""``envyard asset validate``: run every enabled rule over the discovered assets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from envyard.assets.config import AssetSettings, load_asset_settings
from envyard.assets.discovery.discover import (
    Discovery,
    find_asset_files,
    load_each,
    repo_root,
)
from envyard.assets.discovery.model import Asset
from envyard.assets.rules.context import RuleContext
from envyard.assets.rules.environment import published_image
from envyard.assets.rules.forkpool import batches_of, map_shared, usable_cpus
from envyard.assets.rules.table import Rule, effective, rule_table
from envyard.errors import Diagnostic
from envyard.yamlio import bulk


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


def _per_asset(
    assets: list[Asset],
    ctx: RuleContext,
    by_asset: dict[int, dict[str, list[Diagnostic]]] | None = None,
) -> dict[str, list[Diagnostic]]:
    """Rule id -> what the per-asset rules found, asset by asset (in ``assets`` order); with
    ``by_asset`` (``id(asset)`` -> rule id -> findings) also filed asset by asset."""
    out: dict[str, list[Diagnostic]] = {}
    for rule in rule_table().values():
        enabled, severity = effective(rule, ctx.settings)
        if enabled and rule.prepare is not None:
            for asset in assets:
                if not rule.environment_only or asset.type == "environment":
                    rule.prepare(asset, ctx)
        if not enabled or rule.check is None or rule.needs_repo:
            continue
        found = out[rule.id] = []
        for asset in assets:
            if rule.environment_only and asset.type != "environment":
                continue
            tagged = _tag(rule.check(asset, ctx), rule, severity)
            found.extend(tagged)
            if by_asset is not None and tagged:
                by_asset[id(asset)][rule.id] = tagged
    return out


def _repo_wide(assets: list[Asset], ctx: RuleContext) -> list[Diagnostic]:
    """The rules that need every asset: repository checks, and per-asset checks that read
    repository-wide context (they run once every asset is loaded)."""
    out: list[Diagnostic] = []
    for rule in rule_table().values():
        enabled, severity = effective(rule, ctx.settings)
        if not enabled:
            continue
        if rule.repo_check is not None:
            out.extend(_tag(rule.repo_check(ctx), rule, severity))
        if rule.check is None or not rule.needs_repo:
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


def _finish(assets: list[Asset], out: list[Diagnostic], ctx: RuleContext) -> AssetReport:
    report = AssetReport(assets=len(assets), rules=rule_table())
    out = out + _repo_wide(assets, ctx)
    unique = {(d.file, d.line, d.col, d.message): d for d in out}
    report.diagnostics = sorted(
        unique.values(), key=lambda d: (d.file, d.line, d.col, d.rule or "")
    )
    return report


def validate_discovery(found: Discovery, settings: AssetSettings) -> AssetReport:
    ctx = _context(found.assets, settings)
    out = _discovery_diagnostics(found, settings)
    for diagnostics in _per_asset(found.assets, ctx).values():
        out += diagnostics
    return _finish(found.assets, out, ctx)


@dataclass
class _Done:
    """What one ``asset.yaml`` yielded in a batch: the loaded asset (None when it failed), its
    discovery problems, and its per-asset rule findings by rule id."""

    asset: Asset | None
    found: list[Diagnostic]
    by_rule: dict[str, list[Diagnostic]]


def _check_part(job: tuple[list[Path], Path, AssetSettings, dict[str, str]]) -> list[_Done]:
    """One batch of asset files, file by file (in the batch's order)."""
    files, base, settings, real_paths = job
    loaded = list(load_each(files, base, real_paths))
    assets = [asset for asset, _problems in loaded if asset is not None]
    ctx = _context(assets, settings)
    by_asset: dict[int, dict[str, list[Diagnostic]]] = {id(a): {} for a in assets}
    _per_asset(assets, ctx, by_asset)
    return [
        _Done(asset, problems, by_asset[id(asset)] if asset is not None else {})
        for asset, problems in loaded
    ]


ASSETS_PER_PROCESS = 250
"""Below this many assets per core, forking costs more than it saves."""

BATCH = 8
"""Assets per turn: small enough that the processes finish within a few milliseconds of each
other, large enough that a turn's own cost (a rule context, the rule table) stays small."""


def validate_files(
    files: Iterable[Path],
    base: Path,
    settings: AssetSettings,
    *,
    jobs: int | None = None,
    real_paths: dict[str, str] | None = None,
) -> AssetReport:
    """Validate the given ``asset.yaml`` files; with many, over ``jobs`` processes (default:
    the usable cores). The report is the same, diagnostic for diagnostic, as one process's.

    The files go in batches of ``BATCH``, each process taking the next batch when free (see
    :mod:`forkpool`): a forked child pays for the memory pages it copies, the parent is slowed
    by whatever else runs on its core; neither waits long for the other."""
    unique = list(dict.fromkeys(files))
    processes = max(1, min(jobs or usable_cpus(), len(unique) // ASSETS_PER_PROCESS))
    batches = batches_of(unique, size=BATCH if processes > 1 else max(1, len(unique)))
    with bulk():  # thousands of files read, children's results unpickled: no cycles to find
        return _validate_parts(batches, base, settings, processes, real_paths or {})


def _validate_parts(
    batches: list[list[Path]],
    base: Path,
    settings: AssetSettings,
    processes: int,
    real_paths: dict[str, str],
) -> AssetReport:
    # one cache of real paths per process (a child's copy is forked with it, never pickled)
    jobs = [(batch, base, settings, real_paths) for batch in batches]
    done = [d for part in map_shared(_check_part, jobs, processes=processes) for d in part]
    assets = [d.asset for d in done if d.asset is not None]
    found = Discovery(root=base, assets=assets, diagnostics=[x for d in done for x in d.found])
    ctx = _context(assets, settings)
    out = _discovery_diagnostics(found, settings)
    for rule_id in rule_table():  # rule by rule, then asset by asset: one process's order
        for d in done:
            out += d.by_rule.get(rule_id, [])
    return _finish(assets, out, ctx)


def validate_assets(
    paths: list[Path],
    settings: AssetSettings | None = None,
    root: Path | None = None,
    *,
    jobs: int | None = None,
) -> AssetReport:
    """Validate every asset below ``paths`` with the repository's settings."""
    targets = [p.resolve() for p in paths] or [Path.cwd().resolve()]
    base = (root or repo_root(targets[0])).resolve()
    settings = settings or load_asset_settings(targets[0])
    real: dict[str, str] = {}
    files = find_asset_files(targets, root=base, exclude=settings.exclude, real_paths=real)
    return validate_files(list(files), base, settings, jobs=jobs, real_paths=real)
