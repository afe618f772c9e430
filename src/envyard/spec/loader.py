"""Load a spec file into its frozen model, reporting every problem with file:line:col."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from envyard.errors import Diagnostic, SpecError
from envyard.spec.diagnose import diagnostics_from, format_path
from envyard.spec.findings import Finding
from envyard.spec.kind import Kind
from envyard.yamlio import Document, read

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class LoadedSpec:
    kind: Kind
    model: BaseModel
    document: Document
    warnings: tuple[Diagnostic, ...] = ()


def read_document(path: Path) -> Document:
    """Read and parse a YAML or JSON file (no validation)."""
    return read(path)


def validate_document(doc: Document, kind: Kind) -> LoadedSpec:
    """Validate a parsed document as ``kind``; raises SpecError listing every error."""
    found = _findings(doc, kind.raw_check(doc.data) if kind.raw_check else [])
    try:
        model = kind.model.model_validate(doc.data)
    except ValidationError as exc:
        errors = diagnostics_from(exc, kind.model, doc)
        repaired = _without_bad_keys(doc.data, exc, kind) if kind.check else None
        if repaired is not None and kind.check:  # cross-reference problems too, at once
            errors += _findings(doc, kind.check(repaired))
        raise SpecError(_sorted(errors + found)) from None
    found += _findings(doc, kind.check(model) if kind.check else [])
    if any(d.severity == "error" for d in found):
        raise SpecError(_sorted(found))
    return LoadedSpec(kind, model, doc, tuple(found))


def _without_bad_keys(data: Any, exc: ValidationError, kind: Kind) -> BaseModel | None:
    """The model with every invalid mapping entry dropped (defaults apply), or None.

    Lets the cross-reference checks run on a file that also has field errors. Only keys of
    mappings are dropped (never list items, which would shift later positions); a missing
    required field or an error in a list item means no repair is tried.
    """
    import json

    copy = json.loads(json.dumps(data, default=str))
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        if err["type"] == "missing" or not loc or not isinstance(loc[-1], str):
            return None
        parent: Any = copy
        for seg in loc[:-1]:
            if not _has(parent, seg):
                return None
            parent = parent[seg]
        if not isinstance(parent, dict) or loc[-1] not in parent:
            return None
        del parent[loc[-1]]
    try:
        return kind.model.model_validate(copy)
    except ValidationError:
        return None


def _has(node: Any, seg: Any) -> bool:
    if isinstance(node, dict):
        return isinstance(seg, str) and seg in node
    return isinstance(node, list) and isinstance(seg, int) and seg < len(node)


def _findings(doc: Document, findings: list[Finding]) -> list[Diagnostic]:
    return [
        Diagnostic(
            doc.file,
            *doc.position(f.path, key=f.key),
            format_path(f.path),
            f.message,
            f.hint,
            severity=f.severity,
        )
        for f in findings
    ]


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.line, d.col, d.field))


def load_spec(path: Path | str, kind: str | None = None) -> LoadedSpec:
    """Load ``path`` as ``kind`` (recognised from the file when not given)."""
    from envyard.spec.kinds import detect_kind, kind_by_name  # every kind's models: on use

    path = Path(path)
    doc = read_document(path)
    found = kind_by_name(kind) if kind else detect_kind(path, doc.data)
    if found is None:
        raise unknown_kind_error(doc)
    return validate_document(doc, found)


def unknown_kind_error(doc: Document) -> SpecError:
    keys = ", ".join(repr(k) for k in list(doc.data)[:5]) if isinstance(doc.data, dict) else ""
    schema = doc.data.get("$schema") if isinstance(doc.data, dict) else None
    if isinstance(schema, str) and "azureml" in schema.lower():
        return SpecError.at(
            doc.file,
            f"an AzureML file ($schema: {schema}), not an Envyard spec",
            line=1,
            col=1,
            hint="`envyard asset validate FOLDER` checks the assets of an azureml-assets "
            "repository; `envyard validate --skip-unknown` skips such files",
        )
    return SpecError.at(
        doc.file,
        f"cannot tell what kind of spec this is (top-level keys: {keys})",
        line=1,
        col=1,
        hint="is this an Envyard spec? pass --kind, or add `$schema: <kind>.schema.json`; "
        "`envyard schema --list` shows the kinds",
    )


def load_model(path: Path | str, model: type[M], kind: str) -> M:
    """Load ``path`` as ``kind`` and return its model, typed."""
    loaded = load_spec(path, kind)
    if not isinstance(loaded.model, model):  # pragma: no cover - kind/model mismatch is a bug
        raise TypeError(f"{kind} does not load as {model.__name__}")
    return loaded.model


def load_data(data: Any, kind: str, *, file: str = "<input>") -> LoadedSpec:
    """Validate already-parsed data (API bodies, SDK calls) with the same messages."""
    from envyard.spec.kinds import kind_by_name

    return validate_document(Document(file=file, data=data), kind_by_name(kind))
