"""Turn a ``conda env export`` file (or any ``environment.yml``) into an environment's kernel.

The file is read with the spec loader (so every problem is reported as file:line:col with the
field path) and validated as a :class:`~envyard.spec.environment.CondaKernel`; ``prefix`` (a
path on the exporting machine) is dropped. What conda accepts is accepted, as conda reads it:

- a top-level section conda does not know (``category:``, ``platforms:``... of conda-lock or
  pixi files) is ignored with a warning (rule ``CONDA001``), as conda ignores it;
- in the ``pip:`` section, ``-r FILE`` is replaced by FILE's lines and a relative
  ``--find-links DIR`` made absolute, both relative to the environment file's folder (where
  conda runs pip), so the kernel holds everything itself; ``-c`` and ``-e`` lines cannot be
  kept in a registry version: they are left out with a warning naming the line (``CONDA002``);
- an exact conda build of python (``python=3.11.9=<build>``) in a kernel whose conda part is
  python and pip only is a warning (``CONDA003``): that kernel runs on a local 3.11;
- a pip line that is not a requirement is an error at its file:line, before anything is locked.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from envyard.errors import Diagnostic, SpecError
from envyard.locking.pip import requirement_problem
from envyard.spec.diagnose import diagnostics_from
from envyard.spec.environment import CondaKernel, kernel_conda_packages
from envyard.spec.loader import read_document
from envyard.yamlio import Document

__all__ = [
    "RULE_PIP_LINE",
    "RULE_PYTHON",
    "RULE_SECTION",
    "SECTIONS",
    "environment_from_conda",
    "read_conda_export",
]

SECTIONS = ("name", "channels", "dependencies", "variables", "prefix")  # conda's VALID_KEYS
RULE_SECTION = "CONDA001"
RULE_PIP_LINE = "CONDA002"
RULE_PYTHON = "CONDA003"

_FILE_OPTION = re.compile(
    r"^\s*(-r|--requirement|-c|--constraint|-e|--editable)(?:\s*=\s*|\s+)(.+?)\s*$"
)
_FIND_LINKS = re.compile(r"^\s*(?:--find-links|-f)(?:\s*=\s*|\s+)(\S+)\s*$")
_MAX_DEPTH = 10  # -r nesting (pip has no limit; a cycle must end)

Warn = Callable[[Diagnostic], None]


def _stderr(diagnostic: Diagnostic) -> None:
    sys.stderr.write(f"{diagnostic.render()} [{diagnostic.rule}]\n")


class _PipReader:
    """The lines of one ``pip:`` section with ``-r`` files read, as conda's pip would."""

    def __init__(self, doc: Document, folder: Path, found: list[Diagnostic]) -> None:
        self.doc, self.folder, self.found = doc, folder, found

    def _where(self, path: tuple[str | int, ...]) -> tuple[int, int, str]:
        line, col = self.doc.position(path)
        return line, col, "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)[1:]

    def section(self, path: tuple[str | int, ...], lines: list[Any]) -> list[Any]:
        kept: list[Any] = []
        for index, line in enumerate(lines):
            where = (*path, index)
            if isinstance(line, str):
                kept += self.line(line, self.folder, where, origin=None, depth=0)
            else:
                kept.append(line)  # not text: validation reports it at its place
        return kept

    def line(
        self, line: str, folder: Path, where: tuple[str | int, ...], origin: str | None, depth: int
    ) -> list[str]:
        at_line, col, field = self._where(where)
        named = f"'{line.strip()}'" + (f" ({origin})" if origin else "")
        option = _FILE_OPTION.match(line)
        if option and option.group(1) in {"-r", "--requirement"}:
            return self._included(option.group(2), folder, where, named, depth)
        if option:
            self.found.append(Diagnostic(
                self.doc.file, at_line, col, field,
                f"pip line {named} is left out: a registry version cannot depend on a local "
                "file or checkout",
                hint="list the packages themselves in the pip section",
                severity="warning", rule=RULE_PIP_LINE,
            ))  # fmt: skip
            return []
        links = _FIND_LINKS.match(line)
        if links and "://" not in links.group(1) and not Path(links.group(1)).is_absolute():
            return [f"--find-links {(folder / links.group(1)).resolve()}"]
        problem = requirement_problem(line)
        if problem:
            raise SpecError.at(
                self.doc.file, f"pip line {named} is not a requirement: {problem}",
                line=at_line, col=col, field=field,
                hint="write it as pip would read it, e.g. six==1.16.0",
            )  # fmt: skip
        return [line]

    def _included(
        self, name: str, folder: Path, where: tuple[str | int, ...], named: str, depth: int
    ) -> list[str]:
        at_line, col, field = self._where(where)
        path = folder / name
        if "://" in name or depth >= _MAX_DEPTH or not path.is_file():
            reason = (
                "is a URL (its lines would change after the version is made)"
                if "://" in name
                else f"is nested more than {_MAX_DEPTH} deep"
                if depth >= _MAX_DEPTH
                else f"names {path}, which is not a file (relative to {folder}, as conda runs pip)"
            )
            raise SpecError.at(
                self.doc.file, f"pip line {named} {reason}",
                line=at_line, col=col, field=field,
                hint="list the requirements in the pip section, or fix the path",
            )  # fmt: skip
        text = path.read_text(encoding="utf-8", errors="replace").replace("\\\n", "")
        kept: list[str] = []
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                origin = f"{name}:{number}"
                kept += self.line(line, path.parent, where, origin, depth + 1)
        return kept


def _local_python(doc: Document, kernel: CondaKernel) -> list[Diagnostic]:
    """A conda build of python in a kernel built on a local interpreter: say so at its line."""
    line, version = kernel.python_dependency(), kernel.python_version()
    if kernel_conda_packages(kernel) or not line or not version or not kernel.python_constraint():
        return []
    index = next(i for i, d in enumerate(kernel.dependencies) if d == line)
    at_line, col = doc.position(("dependencies", index))
    short = ".".join(version.split(".")[:2])
    return [Diagnostic(
        doc.file, at_line, col, f"dependencies[{index}]",
        f"'{line}' runs on a local Python {short} interpreter, not this conda build: a kernel "
        "whose conda packages are only python and pip is built on a local interpreter",
        hint="a kernel with other conda packages gets this python from its channels",
        severity="warning", rule=RULE_PYTHON,
    )]  # fmt: skip


def read_conda_export(path: Path | str, warn: Warn | None = None) -> CondaKernel:
    """The kernel described by a conda environment file; *warn* gets each warning (default:
    one line on stderr)."""
    doc = read_document(Path(path))
    if not isinstance(doc.data, dict) or "dependencies" not in doc.data:
        raise SpecError.at(
            doc.file,
            "not a conda environment export: it has no 'dependencies'",
            line=1,
            col=1,
            hint="create it with `conda env export > environment.yml`",
        )
    found: list[Diagnostic] = []
    data = dict(doc.data)
    for key in [k for k in data if k not in SECTIONS]:
        line, col = doc.position((key,), key=True)
        found.append(Diagnostic(
            doc.file, line, col, str(key),
            f"section '{key}' is not part of a conda environment file; conda ignores it, and "
            "so does Envyard",
            hint="allowed: " + ", ".join(SECTIONS), severity="warning", rule=RULE_SECTION,
        ))  # fmt: skip
        del data[key]
    reader = _PipReader(doc, Path(path).resolve().parent, found)
    if isinstance(data["dependencies"], list):
        data["dependencies"] = [
            {**d, "pip": reader.section(("dependencies", i, "pip"), d["pip"])}
            if isinstance(d, dict) and isinstance(d.get("pip"), list)
            else d
            for i, d in enumerate(data["dependencies"])
        ]
    try:
        kernel = CondaKernel.model_validate(data)
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
    found += _local_python(doc, kernel)
    for diagnostic in found:
        (warn or _stderr)(diagnostic)
    return kernel.model_copy(update={"prefix": None})


def environment_from_conda(
    path: Path | str,
    *,
    name: str,
    image: str | None = None,
    vm_image: str | None = None,
    description: str = "",
    tags: dict[str, str] | None = None,
    warn: Warn | None = None,
) -> dict[str, Any]:
    """An environment body (for ``create`` or ``update``) whose kernel is the export."""
    kernel = read_conda_export(path, warn)
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
