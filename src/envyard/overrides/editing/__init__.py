"""Editing: turn "this document's data became that" into text edits of the original file.

- ``nodes.py``: a file's text with its node tree (every value knows its span) and plain data.
- ``render.py``: a new value written as YAML text that fits where the old one stood.
- ``scalars.py``: the common case — scalars replaced by scalars — edited from the changes alone.
- ``spans.py``: anything else, by comparing the old and new data along the node tree.

:func:`edit_text` is the entry point: whichever way the text was made, it is parsed again and
compared with the intended data; a difference is an error at the file's first changed line,
never a staged file that reads back as something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import YamlText, parse_yaml
from envyard.overrides.editing.scalars import patch_scalars
from envyard.overrides.editing.spans import patch_text
from envyard.overrides.matching.rules import Change, same

__all__ = ["edit_text", "same"]


def edit_text(
    doc: YamlText, new_data: Any, changes: Sequence[Change], *, json_file: bool = False
) -> str:
    """``doc``'s text edited to read as ``new_data``; SpecError when it would not."""
    fast = patch_scalars(doc, new_data, changes, json_file=json_file)
    text = fast if fast is not None else patch_text(doc, new_data, json_file=json_file)
    try:
        check = parse_yaml(text, doc.file).data
    except SpecError as exc:
        problem = str(exc)
        check = None
    else:
        problem = ""
    if problem or not same(check, new_data):
        line = min((doc.line_of(c.location) for c in changes), default=1)
        first = changes[0].field if changes else ""
        raise SpecError.at(
            doc.file,
            "the staged copy would not read back as the intended values"
            + (f" ({problem})" if problem else ""),
            line=line,
            field=first,
            hint="this is a bug in Envyard's YAML editing; please report it with this file "
            "(the original is unchanged and nothing was staged)",
        )
    return text
