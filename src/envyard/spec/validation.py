"""Validate many spec files: walk folders, recognise kinds, collect every diagnostic."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from envyard.errors import Diagnostic, SpecError
from envyard.spec.kinds import KINDS, Kind, detect_kind, kind_by_name
from envyard.spec.loader import read_document, unknown_kind_error, validate_document
from envyard.yamlio.source import display_path

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}


@dataclass
class FileResult:
    file: str
    kind: str | None
    ok: bool


@dataclass
class Report:
    files: list[FileResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def summary(self) -> str:
        kinds = Counter(f.kind for f in self.files if f.kind)
        by_kind = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        bad = sum(1 for f in self.files if not f.ok)
        text = f"checked {len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        text += f" ({by_kind})" if by_kind else ""
        text += f": {len(self.errors)} error(s) in {bad} file(s), {len(self.warnings)} warning(s)"
        if self.skipped:
            text += f"; skipped {len(self.skipped)} file(s) that are not Envyard specs"
        return text

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": not self.errors,
            "files": [f.__dict__ for f in self.files],
            "diagnostics": [d.as_dict() for d in self.diagnostics],
            "skipped": self.skipped,
            "summary": self.summary(),
        }


def _walk(root: Path) -> Iterator[Path]:
    for child in sorted(root.iterdir()):
        if child.is_dir():
            if child.name not in SKIP_DIRS and not child.name.startswith("."):
                yield from _walk(child)
        elif child.suffix in SPEC_SUFFIXES:
            yield child


def validate_paths(
    paths: list[Path], *, kind: str | None = None, skip_unknown: bool = False
) -> Report:
    """Validate files (named ones must be specs unless ``skip_unknown``; in folders,
    files that are not specs are skipped)."""
    report = Report()
    forced = kind_by_name(kind) if kind else None
    for path in paths:
        if path.is_dir():
            for child in _walk(path):
                _one(child, report, forced, explicit=False)
        else:
            _one(path, report, forced, explicit=not skip_unknown)
    return report


def _named_kind(path: Path) -> bool:
    """True when the file name alone says it is an Envyard spec (asset.yaml, targets.yaml...)."""
    return any(path.name in k.filenames for k in KINDS.values())


_TOP_KEY = re.compile(r"""^["']?([A-Za-z_$][\w$.-]*)["']?[ \t]*:[ \t]*(.*?)[ \t,]*$""", re.M)


def _looks_like_a_spec(path: Path) -> bool:
    """For a file that is not readable YAML: whether its top-level keys (read line by line)
    say it is an Envyard spec, as they would if it parsed. Such a file is reported, not
    skipped (issue 16: a spec with a syntax error passed as "not an Envyard spec")."""
    if _named_kind(path):
        return True
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True  # unreadable: let the error stand
    keys = {m.group(1): m.group(2).strip("\"' ") or None for m in _TOP_KEY.finditer(text)}
    return detect_kind(path, keys, guess=False) is not None


def _one(path: Path, report: Report, forced: Kind | None, *, explicit: bool) -> None:
    found: Kind | None = None
    try:
        doc = read_document(path)
        found = forced or detect_kind(path, doc.data, guess=explicit)
        if found is None:
            if explicit:
                raise unknown_kind_error(doc)
            report.skipped.append(doc.file)
            return
        loaded = validate_document(doc, found)
    except SpecError as exc:
        if found is None and not explicit and forced is None and not _looks_like_a_spec(path):
            report.skipped.append(display_path(path))  # not YAML we can read: not ours
            return
        name = found.name if found else None
        report.files.append(FileResult(exc.diagnostics[0].file, name, ok=False))
        report.diagnostics.extend(exc.diagnostics)
        return
    report.files.append(FileResult(display_path(path), found.name, ok=True))
    report.diagnostics.extend(loaded.warnings)
