"""Text the asset commands print: pin outcomes (resolved / skipped, and why), rule tables."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from envyard.assets.config import AssetSettings
from envyard.assets.rules.table import Rule, effective

if TYPE_CHECKING:
    from envyard.assets.pinning.lock import LockEntry

FIX = {
    "image": "configure the registry ([assets.mirrors] / [assets.registries] in envyard.toml, "
    "or --mirror HOST=URL), or pass --online to ask public registries",
    "pypi": "set [assets] index_urls in envyard.toml, or pass --index-url URL, or pass --online "
    "to use PyPI",
}
KIND_NAME = {"image": "image tag", "pypi": "package version"}


def describe_entries(entries: list[LockEntry], *, prefix: str = "") -> list[str]:
    """One line per resolved tag; skipped tags grouped by kind and reason, with the fix."""
    lines = []
    for e in entries:
        if e.status == "resolved":
            lines.append(f"{prefix}{e.file}:{e.line} {e.tag} -> {e.value} ({e.subject})")
    groups: dict[tuple[str, str], list[LockEntry]] = defaultdict(list)
    for e in entries:
        if e.status == "skipped":
            groups[(e.kind, e.reason or "")].append(e)
    for (kind, reason), items in sorted(groups.items()):
        what = KIND_NAME.get(kind, kind)
        where = ", ".join(f"{e.file}:{e.line}" for e in items)
        lines.append(
            f"{prefix}skipped {len(items)} {what}{'s' if len(items) != 1 else ''}: {reason} "
            f"({where}); left as written"
        )
        lines.append(f"{prefix}  to resolve: {FIX.get(kind, 'configure its source')}")
    return lines


def rules_table(rules: dict[str, Rule], settings: AssetSettings) -> list[str]:
    lines = []
    for rule in rules.values():
        enabled, severity = effective(rule, settings)
        state = severity if enabled else "off"
        scope = "environments" if rule.environment_only else "all assets"
        lines.append(f"{rule.id}  {rule.name:<20} {state:<8} {scope:<13} {rule.summary}")
    return lines
