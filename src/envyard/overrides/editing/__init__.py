"""Editing: turn "this document's data became that" into text edits of the original file.

- ``nodes.py``: a file's text with its node tree (every value knows its span) and plain data.
- ``render.py``: a new value written as YAML text that fits where the old one stood.
- ``scalars.py``: the common case — scalars replaced by scalars — edited from the changes alone.
- ``spans.py``: anything else, by comparing the old and new data along the node tree.
- ``verify.py``: the staged text parsed again and compared with the intended data.

:func:`edit_text` is the entry point: whichever way the text was made, it is parsed again and
compared with the intended data; a difference is an error at the file's first changed line,
never a staged file that reads back as something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import YamlText
from envyard.overrides.editing.scalars import patch_scalars
from envyard.overrides.editing.spans import patch_text, roundtrip_dump
from envyard.overrides.editing.verify import reads_as
from envyard.overrides.matching.rules import MISSING, Change, Location, same

__all__ = ["edit_text", "same"]


def edit_text(
    doc: YamlText, new_data: Any, changes: Sequence[Change], *, json_file: bool = False
) -> str:
    """``doc``'s text edited to read as ``new_data``; SpecError when it would not.

    The scalar fast path is tried first, then the full span patcher, then the round-trip
    dump; the first text that reads back as ``new_data`` is the staged text.
    """
    problem = ""
    for make in (_fast, _spans, _roundtrip):
        text = make(doc, new_data, changes, json_file)
        if text is None:
            continue
        try:
            if reads_as(doc, text, new_data, _edited(changes) if make is _fast else None):
                return text
        except SpecError as exc:
            problem = str(exc)
    line = min((doc.line_of(c.location) for c in changes), default=1)
    raise SpecError.at(
        doc.file,
        "the staged copy would not read back as the intended values"
        + (f" ({problem})" if problem else ""),
        line=line,
        col=1,
        field=changes[0].field if changes else "",
        hint="this is a bug in Envyard's YAML editing; please report it with this file "
        "(the original is unchanged and nothing was staged)",
    )


def _edited(changes: Sequence[Change]) -> set[Location]:
    """Where the scalar edits rewrote the text: a replaced scalar, or the list an item left."""
    return {c.location[:-1] if c.new is MISSING else c.location for c in changes}


def _fast(doc: YamlText, new: Any, changes: Sequence[Change], json_file: bool) -> str | None:
    return patch_scalars(doc, new, changes, json_file=json_file)


def _spans(doc: YamlText, new: Any, changes: Sequence[Change], json_file: bool) -> str | None:
    return patch_text(doc, new, json_file=json_file, checked=False)


def _roundtrip(doc: YamlText, new: Any, changes: Sequence[Change], json_file: bool) -> str | None:
    return None if json_file else roundtrip_dump(doc.text, new)
