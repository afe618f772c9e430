"""The common case of a patch, done directly: rules that only replaced scalars by scalars.

:func:`envyard.overrides.patch.patch_text` compares the whole old and new documents along the
node tree to find what changed. When every change a rule made replaced an existing scalar by
another scalar (an image, a tag value, a package index), the structure of the document is
unchanged and the changed locations are known, so the same edits — each scalar rewritten in
its own quoting style — are made from those locations alone. Anything else (a field added or
removed, a collection, a block scalar, an anchor, a value needing several lines) returns None
and goes through ``patch_text``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from envyard.overrides.editing.nodes import (
    ScalarNode,
    SequenceNode,
    YamlText,
    empty_value_lead,
    last_content_end,
    line_start,
    starts_line,
)
from envyard.overrides.editing.render import render_scalar
from envyard.overrides.editing.spans import Edit, apply_edits
from envyard.overrides.matching.rules import MISSING, NESTED, Change, Location, same


def _get(data: Any, location: Location) -> Any:
    for part in location:
        data = data[part]
    return data


def _scalar(value: Any) -> bool:
    return value is not MISSING and not isinstance(value, NESTED)


def patch_scalars(
    doc: YamlText, new_data: Any, changes: Iterable[Change], *, json_file: bool = False
) -> str | None:
    """``doc``'s text with the changed scalars rewritten, or None when this does not apply."""
    text = doc.text
    if "&" in text or "*" in text:  # an anchored scalar may be shared: the full patch checks
        return None
    edits: list[Edit] = []
    seen: set[Location] = set()
    for change in changes:
        if change.new is MISSING and _scalar(change.old) and change.location:
            removal = _removed_item(doc, change.location)
            if removal is None:
                return None
            edits.append(removal)
            continue
        if not (_scalar(change.old) and _scalar(change.new)):
            return None
        location = change.location
        if location in seen:
            continue
        seen.add(location)
        node = doc.node_at(location)
        if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
            return None
        old, new = _get(doc.data, location), _get(new_data, location)
        if isinstance(new, NESTED):
            return None
        if old == new and same(old, new):
            continue
        rendered = render_scalar(new, '"' if json_file else (node.style or None))
        if "\n" in rendered:
            return None
        lead = empty_value_lead(text, node)
        edits.append(Edit(node.start_mark.index, node.end_mark.index, lead + rendered, True))
    return apply_edits(text, edits)


def _removed_item(doc: YamlText, location: Location) -> Edit | None:
    """The edit deleting a removed scalar item of a block list (its whole line), or None."""
    parent = doc.node_at(location[:-1])
    if not isinstance(parent, SequenceNode) or parent.flow_style or len(parent.value) < 2:
        return None
    node = doc.node_at(location)
    if not isinstance(node, ScalarNode) or node.style in ("|", ">"):
        return None
    text = doc.text
    dash = text.rfind("-", 0, node.start_mark.index)
    if dash < 0 or not starts_line(text, dash):
        return None
    return Edit(line_start(text, dash), last_content_end(text, node), "")
