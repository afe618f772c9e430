"""Turn a ``conda env export`` file into an environment's kernel.

The file is read with the spec loader (so every problem is reported as file:line:col with the
field path) and validated as a :class:`~envyard.spec.environment.CondaKernel`; ``prefix`` (a
path on the exporting machine) is dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envyard.errors import SpecError
from envyard.spec.diagnose import diagnostics_from
from envyard.spec.environment import CondaKernel
from envyard.spec.loader import read_document


def read_conda_export(path: Path | str) -> CondaKernel:
    """The kernel described by a ``conda env export`` YAML file."""
    doc = read_document(Path(path))
    if "dependencies" not in doc.data:
        raise SpecError.at(
            doc.file,
            "not a conda environment export: it has no 'dependencies'",
            line=1,
            col=1,
            hint="create it with `conda env export > environment.yml`",
        )
    try:
        kernel = CondaKernel.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecError(diagnostics_from(exc, CondaKernel, doc)) from None
    if not kernel.dependencies:
        raise SpecError.at(
            doc.file,
            "the export lists no dependencies",
            line=doc.position(("dependencies",), key=True)[0],
            col=1,
            field="dependencies",
        )
    return kernel.model_copy(update={"prefix": None})


def environment_from_conda(
    path: Path | str,
    *,
    name: str,
    image: str | None = None,
    vm_image: str | None = None,
    description: str = "",
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An environment body (for ``create`` or ``update``) whose kernel is the export."""
    kernel = read_conda_export(path)
    body: dict[str, Any] = {
        "name": name,
        "description": description,
        "kernel": kernel.model_dump(mode="json", exclude_none=True),
        "tags": dict(tags or {}),
    }
    if image is not None:
        body["image"] = image
    if vm_image is not None:
        body["vm_image"] = vm_image
    return body
