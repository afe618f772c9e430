"""``parse``/``load``/``read``: text or a file -> data, every problem one line with its place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from envyard.errors import SpecError
from envyard.yamlio.compose import MappingNode, compose
from envyard.yamlio.convert import to_data
from envyard.yamlio.document import Document
from envyard.yamlio.source import display_path, read_text


def parse(text: str, file: str) -> Document:
    """Parse one YAML (or JSON) document whose top level is a mapping of fields.

    Positions are computed on the first ``Document.position`` call. An empty file, several
    documents, a top level that is not a mapping and every syntax problem are SpecErrors.
    """
    node = compose(text, file)
    if node is None:
        raise SpecError.at(
            file, "file is empty", line=1, col=1, hint="see `envyard schema KIND` for the format"
        )
    data = to_data(node, file, aliases="*" in text)
    if type(node) is not MappingNode or not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else "plain text"
        raise SpecError.at(
            file,
            f"expected a mapping of fields at the top of the file, found {found}",
            line=node.start_mark.line + 1,
            col=node.start_mark.column + 1,
            hint="is this a YAML spec file?",
        )
    return Document(file, data, node=node)


def load(text: str, file: str = "<yaml>") -> Any:
    """Plain data of one YAML document of any shape (None when empty), same typing."""
    node = compose(text, file)
    return None if node is None else to_data(node, file, aliases="*" in text)


def read(path: Path | str) -> Document:
    """Read and :func:`parse` a spec file (size, binary and encoding checks included).

    A ``.json`` file is checked as JSON first, so its errors read as JSON errors.
    """
    path = Path(path)
    shown = display_path(path)
    text = read_text(path)
    if path.suffix == ".json":
        text = _json_as_yaml(text, shown)
    return parse(text, shown)


def _json_as_yaml(text: str, file: str) -> str:
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        before = text[: exc.pos].rstrip()
        hint = "remove the comma after the last item" if before.endswith(",") else None
        raise SpecError.at(
            file, f"not valid JSON: {exc.msg}", line=exc.lineno, col=exc.colno, hint=hint
        ) from None
    # YAML (which reads the JSON here, for positions) forbids tab indentation; JSON strings
    # cannot hold raw tabs, so one space per tab keeps every column where it was
    return text.replace("\t", " ")
