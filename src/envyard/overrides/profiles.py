"""Load the ``tenant_overrides`` block (a pipeline YAML or its own file) into compiled rules.

Every invalid JSONPath, regular expression, group reference or operation in the file is reported
at once, each as ``file:line:col`` with the field path (the checks live in
:mod:`envyard.spec.overrides`, shared with ``envyard validate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from envyard.errors import NotFoundError
from envyard.overrides.rules import Rule, build_rule
from envyard.spec.document import Document
from envyard.spec.kinds import KINDS
from envyard.spec.loader import read_document, validate_document
from envyard.spec.overrides import compile_jsonpath


@dataclass(frozen=True)
class OverrideProfiles:
    """All profiles of one overrides file, in file order."""

    path: Path
    file: str
    profiles: dict[str, tuple[Rule, ...]]
    lines: dict[str, int]

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
    validate_document(doc, KINDS["overrides"])
    block: dict[str, Any] = doc.data["tenant_overrides"]
    profiles: dict[str, tuple[Rule, ...]] = {}
    lines: dict[str, int] = {}
    for profile, rules in block.items():
        lines[profile] = doc.position(("tenant_overrides", profile), key=True)[0]
        compiled = []
        for key, body in rules.items():
            where = ("tenant_overrides", profile, key)
            entry_lines = _entry_lines(doc, where, body)
            col = doc.position(where, key=True)[1]
            compiled.append(
                build_rule(
                    profile,
                    key,
                    body,
                    query=compile_jsonpath(key),
                    file=doc.file,
                    lines=entry_lines,
                    col=col,
                )
            )
        profiles[profile] = tuple(compiled)
    return OverrideProfiles(path, doc.file, profiles, lines)


def _entry_lines(doc: Document, where: tuple[str, ...], body: dict[str, Any]) -> dict[str, int]:
    lines = {"": doc.position(where, key=True)[0]}
    for entry in body:
        lines[str(entry)] = doc.position((*where, entry), key=True)[0]
    return lines
