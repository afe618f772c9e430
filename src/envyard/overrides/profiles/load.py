"""Load the ``tenant_overrides`` block (a pipeline YAML or its own file) into compiled rules.

Two layouts are read:

- the RFC's: profiles directly under ``tenant_overrides``; overrides always apply;
- shrike 2.0.2's: ``allow_override`` (default false: nothing is overridden, and the commands
  say so), ``keep_modified_files`` (default false) and the profiles under ``mapping``; a
  profile may hold ``remove_polymer_pkg_idx`` (:mod:`envyard.overrides.matching.indexes`), and
  a mapping-valued field only gets the keys it has set (as shrike does).

Every invalid setting, JSONPath, regular expression, group reference or operation in the file
is reported at once, each as ``file:line:col`` with the field path (the checks live in
:mod:`envyard.spec.overrides`, shared with ``envyard validate``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from envyard.errors import NotFoundError
from envyard.overrides.matching.indexes import SHRIKE_FEEDS, IndexRemoval
from envyard.overrides.matching.rules import Rule, build_rule
from envyard.spec.kinds import KINDS
from envyard.spec.loader import read_document, validate_document
from envyard.spec.overrides import (
    INDEX_REMOVAL,
    compile_jsonpath,
    is_shrike_layout,
    profile_block,
    setting_bool,
)
from envyard.yamlio import Document


@dataclass(frozen=True)
class OverrideProfiles:
    """All profiles of one overrides file, in file order, and the block's settings."""

    path: Path
    file: str
    profiles: dict[str, tuple[Rule, ...]]
    lines: dict[str, int]
    shrike_layout: bool = False
    allow_override: bool = True
    keep_modified_files: bool = False
    removals: dict[str, IndexRemoval] = field(default_factory=dict)
    """Profile key -> the index lines its ``remove_polymer_pkg_idx`` drops."""
    setting_lines: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    """The file's warnings (``OVR001``...), rendered."""

    def get(self, key: str) -> tuple[Rule, ...]:
        try:
            return self.profiles[key]
        except KeyError:
            known = ", ".join(self.profiles) or "none"
            raise NotFoundError(
                f"{self.file} has no override profile '{key}'",
                hint=f"profiles in tenant_overrides: {known}",
            ) from None


def load_profiles(path: Path) -> OverrideProfiles:
    """Read and compile ``path``'s ``tenant_overrides`` (cached per file content)."""
    resolved = path.resolve()
    stat = resolved.stat() if resolved.exists() else None
    key = (stat.st_mtime_ns, stat.st_size) if stat else (0, 0)
    return _load(resolved, *key, Path.cwd())  # the cwd: file names are shown relative to it


@cache
def _load(path: Path, _mtime: int, _size: int, _cwd: Path) -> OverrideProfiles:
    doc = read_document(path)
    loaded = validate_document(doc, KINDS["overrides"])
    block: dict[str, Any] = doc.data["tenant_overrides"]
    shrike = is_shrike_layout(block)
    profiles_data, prefix = profile_block(block)
    profiles: dict[str, tuple[Rule, ...]] = {}
    lines: dict[str, int] = {}
    removals: dict[str, IndexRemoval] = {}
    for profile, rules in profiles_data.items():
        lines[profile] = doc.position((*prefix, profile), key=True)[0]
        compiled = []
        for key, body in rules.items():
            where = (*prefix, profile, key)
            line, col = doc.position(where, key=True)
            if key == INDEX_REMOVAL:
                removal = _removal(profile, body, doc.file, line, col)
                if removal is not None:
                    removals[profile] = removal
                continue
            compiled.append(
                build_rule(
                    profile,
                    key,
                    body,
                    query=compile_jsonpath(key),
                    file=doc.file,
                    lines=_entry_lines(doc, where, body),
                    col=col,
                    add_keys=not shrike,
                )
            )
        profiles[profile] = tuple(compiled)
    settings = (
        {k: doc.position(("tenant_overrides", k), key=True)[0] for k in block} if shrike else {}
    )
    return OverrideProfiles(
        path,
        doc.file,
        profiles,
        lines,
        shrike_layout=shrike,
        allow_override=bool(setting_bool(block.get("allow_override"))) if shrike else True,
        keep_modified_files=bool(setting_bool(block.get("keep_modified_files"))) and shrike,
        removals=removals,
        setting_lines=settings,
        warnings=tuple(w.render() for w in loaded.warnings),
    )


def _removal(profile: str, value: Any, file: str, line: int, col: int) -> IndexRemoval | None:
    if value is False:
        return None
    lines = SHRIKE_FEEDS if value is True else (value,) if isinstance(value, str) else tuple(value)
    rule = Rule(
        profile=profile,
        key=INDEX_REMOVAL,
        jsonpath="",
        query=None,
        plain_path=None,
        file=file,
        line=line,
        col=col,
    )
    return IndexRemoval(lines, rule)


def _entry_lines(doc: Document, where: tuple[str, ...], body: dict[str, Any]) -> dict[str, int]:
    lines = {"": doc.position(where, key=True)[0]}
    for entry in body:
        lines[str(entry)] = doc.position((*where, entry), key=True)[0]
    return lines
