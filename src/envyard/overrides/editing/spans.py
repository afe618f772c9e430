"""Turn "this document's data became that" into the smallest text edits of the original file.

The rules engine works on plain data; this module compares the old and new data along the
node tree and edits only the spans that changed: a scalar is rewritten in place (same quoting
style), a new mapping key or list item is inserted as a line at the right indentation, a removed
one loses its lines. Everything else — comments, blank lines, key order, the author's indentation
— stays byte-identical. The result is parsed again and compared with the intended data; if a
construct defeats the span edits (anchors, exotic layouts), the file is re-dumped with the
round-trip dumper of :mod:`envyard.yamlio` instead, which still keeps comments and key order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from envyard.errors import SpecError
from envyard.overrides.editing.nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlText,
    empty_value_lead,
    last_content_end,
    line_start,
    parse_yaml,
    starts_line,
    to_data,
)
from envyard.overrides.editing.render import render_block, render_flow, render_scalar
from envyard.overrides.matching.rules import same


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str
    simple: bool = False
    """A scalar rewritten in its own style (checked when rendered, not re-parsed)."""


class _FallbackError(Exception):
    """A change that span edits cannot express; the caller re-dumps the document."""


def patch_text(
    doc: YamlText, new_data: Any, *, json_file: bool = False, checked: bool = True
) -> str:
    """The text of ``doc`` edited so that it reads as ``new_data``.

    In a JSON file, scalars are still edited in place (they are written as JSON); a structural
    change re-serialises the document as JSON with its indentation. ``checked=False``: the
    caller parses the result again itself (:func:`envyard.overrides.editing.edit_text`).
    """
    if doc.data == new_data and same(doc.data, new_data):
        return doc.text
    patcher = _Patcher(doc.text, json_file=json_file)
    try:
        patcher.diff(doc.node, doc.data, new_data, 0)
        edits = patcher.edits
        if "\r\n" in doc.text:  # new lines follow the file's line endings
            edits = [Edit(e.start, e.end, e.text.replace("\n", "\r\n"), e.simple) for e in edits]
        text = apply_edits(doc.text, edits)
        simple = all(e.simple and "\n" not in e.text for e in edits)
        if json_file and not simple:
            return _json_dump(doc.text, new_data)
        aliases = "&" in doc.text or "*" in doc.text  # an anchored value may be shared
        if checked and (aliases or not simple):
            check = parse_yaml(text, doc.file)
            if not same(check.data, new_data):
                raise _FallbackError
    except (_FallbackError, SpecError):
        return roundtrip_dump(doc.text, new_data)
    return text


def apply_edits(text: str, edits: list[Edit]) -> str:
    ordered = sorted(enumerate(edits), key=lambda p: (p[1].start, p[1].end, p[0]))
    out, pos = [], 0
    for _, edit in ordered:
        if edit.start < pos:
            raise _FallbackError
        out.append(text[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


class _Patcher:
    """Collects the edits that turn the old data's text into the new data's."""

    def __init__(self, text: str, *, json_file: bool = False) -> None:
        self.text = text
        self.json_file = json_file
        self.edits: list[Edit] = []
        self.in_flow = 0
        """How many flow collections enclose the node being compared (new values there are
        written in flow style)."""

    def diff(self, node: Node, old: Any, new: Any, owner: int) -> None:
        """Edits turning ``node`` (which reads as ``old``) into ``new``; ``owner`` is the
        column of the key or dash the value belongs to."""
        if old == new and same(old, new):
            return
        if isinstance(node, ScalarNode) and not isinstance(new, dict | list):
            self.scalar(node, new, owner)
        elif isinstance(node, MappingNode) and isinstance(old, dict) and isinstance(new, dict):
            self.collection(node, old, new, owner, same_shape=list(old) == list(new))
        elif isinstance(node, SequenceNode) and isinstance(old, list) and isinstance(new, list):
            self.collection(node, old, new, owner, same_shape=len(old) == len(new))
        else:
            self.replace(node, new, owner)

    def scalar(self, node: Node, new: Any, owner: int) -> None:
        style = node.style or None  # plain is "" (C) or None (pure)
        start = node.start_mark.index
        if style in ("|", ">"):
            end = _content_end(self.text, node)
            self.edits.append(Edit(start, end, render_scalar(new, style, indent=owner)))
        else:
            rendered = render_scalar(new, '"' if self.json_file else style)
            lead = empty_value_lead(self.text, node)
            self.edits.append(Edit(start, node.end_mark.index, lead + rendered, True))

    def collection(self, node: Node, old: Any, new: Any, owner: int, *, same_shape: bool) -> None:
        if node.flow_style and same_shape:  # same keys / length: edit the values in place
            self.in_flow += 1
            if isinstance(old, dict):
                for key_node, value_node in node.value:
                    key = to_data(key_node)
                    self.diff(value_node, old[key], new[key], owner)
            else:
                for item, before, after in zip(node.value, old, new, strict=True):
                    self.diff(item, before, after, owner)
            self.in_flow -= 1
        elif node.flow_style:
            start, end = node.start_mark.index, node.end_mark.index
            self.edits.append(Edit(start, end, self.flow(new)))
        elif not new:
            self.replace(node, new, owner)
        elif isinstance(old, dict):
            self.mapping(node, old, new)
        else:
            self.sequence(node, old, new)

    def flow(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False) if self.json_file else render_flow(value)

    def replace(self, node: Node, new: Any, owner: int) -> None:
        """Rewrite a whole value (its type changed, or it became empty)."""
        text, edits = self.text, self.edits
        start = node.start_mark.index
        block_old = isinstance(node, MappingNode | SequenceNode) and not node.flow_style
        block_scalar = getattr(node, "style", None) in ("|", ">")
        end = _content_end(text, node) if block_old or block_scalar else node.end_mark.index
        if self.in_flow:
            lead = empty_value_lead(text, node) if isinstance(node, ScalarNode) else ""
            edits.append(Edit(start, end, lead + self.flow(new)))
            return
        if isinstance(new, dict | list) and new:
            while start > 0 and text[start - 1] == " ":
                start -= 1
            pad = owner + 2
            edits.append(Edit(start, end, "\n" + " " * pad + render_block(new, pad)))
            return
        if block_old:
            pulled = start
            while pulled > 0 and text[pulled - 1] in " \n":
                pulled -= 1
            if "#" not in text[line_start(text, pulled) : pulled]:  # no comment on the key line
                edits.append(Edit(pulled, end, " " + self.flow(new)))
                return
        edits.append(Edit(start, end, self.flow(new)))

    def mapping(self, node: Node, old: dict[Any, Any], new: dict[Any, Any]) -> None:
        text, edits = self.text, self.edits
        pairs = list(node.value)
        pad = pairs[0][0].start_mark.column
        for key_node, value_node in pairs:
            key = to_data(key_node)
            if key in new:
                self.diff(value_node, old[key], new[key], key_node.start_mark.column)
                continue
            start = key_node.start_mark.index
            if not starts_line(text, start):
                raise _FallbackError
            edits.append(Edit(line_start(text, start), last_content_end(text, value_node), ""))
        added = [k for k in new if k not in old]
        if added:
            at = last_content_end(text, pairs[-1][1])
            lead = "" if text[at - 1 : at] == "\n" else "\n"
            edits.append(Edit(at, at, lead + "".join(_entry(pad, str(k), new[k]) for k in added)))

    def sequence(self, node: Node, old: list[Any], new: list[Any]) -> None:
        text, edits = self.text, self.edits
        items: list[Node] = list(node.value)
        dashes = [text.rfind("-", 0, item.start_mark.index) for item in items]
        if not all(starts_line(text, d) for d in dashes):
            raise _FallbackError
        pad = dashes[0] - line_start(text, dashes[0])
        if len(old) == len(new):  # items changed in place (the common case)
            for i, (before, after) in enumerate(zip(old, new, strict=True)):
                self.diff(items[i], before, after, pad)
            return
        matcher = SequenceMatcher(None, [_ident(v) for v in old], [_ident(v) for v in new], False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                    self.diff(items[i], old[i], new[j], pad)
                continue
            for i in range(i1, i2):
                edits.append(
                    Edit(line_start(text, dashes[i]), last_content_end(text, items[i]), "")
                )
            if j2 > j1:
                if i1 < len(items):
                    at = line_start(text, dashes[i1])
                    lead = ""
                else:
                    at = last_content_end(text, items[-1])
                    lead = "" if text[at - 1 : at] == "\n" else "\n"
                edits.append(
                    Edit(at, at, lead + "".join(_item(pad, new[j]) for j in range(j1, j2)))
                )


def _content_end(text: str, node: Node) -> int:
    end = last_content_end(text, node)
    while end > node.start_mark.index and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def _entry(pad: int, key: str, value: Any) -> str:
    head = " " * pad + render_scalar(key) + ":"
    if isinstance(value, dict | list) and value:
        return head + "\n" + " " * (pad + 2) + render_block(value, pad + 2) + "\n"
    return head + " " + render_flow(value) + "\n"


def _ident(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _item(pad: int, value: Any) -> str:
    if isinstance(value, dict | list) and value:
        return " " * pad + "- " + render_block(value, pad + 2) + "\n"
    return " " * pad + "- " + render_flow(value) + "\n"


def _json_dump(text: str, new_data: Any) -> str:
    body = text.lstrip("\ufeff").split("\n", 2)
    indent = len(body[1]) - len(body[1].lstrip(" ")) if len(body) > 1 else 2
    return json.dumps(new_data, indent=indent or 2, ensure_ascii=False) + "\n"


def roundtrip_dump(text: str, new_data: Any) -> str:
    """Re-dump with the round-trip dumper (comments and key order kept, layout normalised).

    Its output is checked like the span edits; if even that does not read back as ``new_data``
    (some comments cannot be placed), the data is dumped plainly: correct, without comments.
    """
    from envyard.yamlio import roundtrip_dump as dump_rt
    from envyard.yamlio import roundtrip_load

    try:
        out = dump_rt(_sync(roundtrip_load(text), new_data, set()), indent=(2, 4, 2))
        if same(parse_yaml(out, "<dump>").data, new_data):
            return out
    except SpecError:
        pass
    return render_block(new_data, 0) + "\n"


def _sync(target: Any, new: Any, seen: set[int]) -> Any:
    """Make the round-trip ``target`` equal to ``new``, keeping its comments where it can.

    A collection met twice (a YAML alias) is replaced by a plain copy the second time, so
    changing one use of an anchor does not change the others.
    """
    if isinstance(target, dict | list):
        if id(target) in seen:
            return new
        seen.add(id(target))
    if isinstance(target, dict) and isinstance(new, dict):
        for key in [k for k in target if k not in new]:
            del target[key]
        for key, value in new.items():
            target[key] = _sync(target[key], value, seen) if key in target else value
        return target
    if isinstance(target, list) and isinstance(new, list) and len(target) == len(new):
        for i, value in enumerate(new):
            target[i] = _sync(target[i], value, seen)
        return target
    return new
