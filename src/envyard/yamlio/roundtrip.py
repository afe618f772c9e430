"""ruamel round-trip reading and writing, for commands whose purpose is to edit a user's file.

Comments, key order and quoting survive a load/dump cycle. Everything else reads YAML with
:func:`envyard.yamlio.parse` (faster, and one typing); this module is imported only when a
file is edited.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

from envyard.errors import SpecError

Indent = tuple[int, int, int]
"""(mapping, sequence, offset) as ruamel's ``YAML.indent`` takes them."""


def _yaml(indent: Indent | None) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    if indent is not None:
        yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def roundtrip_load(text: str, file: str = "<yaml>") -> Any:
    """ruamel's round-trip data (``CommentedMap``...) of one document; errors are one line.

    The text is first read with :func:`envyard.yamlio.load`, so a file that Envyard refuses
    elsewhere is refused here with the same message.
    """
    from envyard.yamlio.read import load

    load(text, file)
    try:
        return _yaml(None).load(text)
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError.at(
            file, f"cannot be edited: {' '.join(str(problem).split())}", line=line, col=col
        ) from None


def roundtrip_dump(data: Any, *, indent: Indent | None = None) -> str:
    """Text of round-trip ``data`` (comments kept); ``indent`` as ruamel's ``YAML.indent``."""
    out = StringIO()
    _yaml(indent).dump(data, out)
    return out.getvalue()
