"""Read a job file into a validated :class:`LoadedJob` (every problem reported at once)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from envyard.errors import Diagnostic, SpecError
from envyard.spec.job import JobSpec
from envyard.spec.loader import load_spec
from envyard.yamlio import Document

__all__ = ["LoadedJob", "load_job"]


@dataclass(frozen=True)
class LoadedJob:
    path: Path
    spec: JobSpec
    document: Document
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def base_dir(self) -> Path:
        return self.path.resolve().parent


def load_job(path: Path | str) -> LoadedJob:
    """Load ``path`` as a job; SpecError (file:line:col) when anything is wrong."""
    path = Path(path)
    loaded = load_spec(path, "job")
    if not isinstance(loaded.model, JobSpec):  # pragma: no cover - kind/model mismatch
        raise SpecError.at(str(path), "not a job")
    return LoadedJob(path, loaded.model, loaded.document, loaded.warnings)
