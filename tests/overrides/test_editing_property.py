"""Property: whatever the document's layout and whatever a rule writes, the staged text is valid
YAML that reads back as exactly the intended data (or an error, never a broken file).

Documents are generated as data, then written in a random mix of block and flow collections,
plain, quoted and block scalars, quoted keys, empty values and comments. Rules set or
substitute a randomly chosen field (scalars of every kind, empty strings, text that needs
quoting, small collections).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from envyard.errors import SpecError
from envyard.overrides.editing import edit_text
from envyard.overrides.editing.nodes import parse_yaml
from envyard.overrides.editing.render import plain_ok
from envyard.overrides.editing.scalars import patch_scalars
from envyard.overrides.matching.apply import apply_rules
from envyard.overrides.matching.rules import build_rule
from envyard.spec.overrides import compile_jsonpath

TEXT = st.sampled_from(
    ["", "a", "img:1", "a: b", "x #y", "'q'", '"dq"', "true", "1.0", "null", "- a", "[x]",
     "{k}", "two words", "trailing ", " lead", "multi\nline", "tab\tin", "ümlaut", "#h", "*a"]
)  # fmt: skip
KEYS = st.sampled_from(["a", "image", "tags", "Office", "two words", "k: v", "#hash", "'q'", "1"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 300), TEXT)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(KEYS, inner, min_size=1, max_size=3),
    ),
    max_leaves=8,
)
NEW_VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=2),
    st.dictionaries(KEYS, SCALARS, max_size=2),
)


def _quote(text: str, draw: Any) -> str:
    if "\n" in text or "\t" in text or not text.isprintable():
        return json.dumps(text, ensure_ascii=False)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "plain" and plain_ok(text):
        return text
    if style == "single" or (style == "plain" and "'" not in text):
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any, draw: Any, *, in_flow: bool) -> str:
    if value is None:
        return draw(st.sampled_from(["null", "~"] if in_flow else ["", "null", "~"]))
    if isinstance(value, bool):
        return draw(st.sampled_from(["true", "True"] if value else ["false", "False"]))
    if isinstance(value, int):
        return str(value)
    return _quote(value, draw)


def _flow(value: Any, draw: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_quote(k, draw)}: {_flow(v, draw)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v, draw) for v in value) + "]"
    return _scalar(value, draw, in_flow=True)


def _block(value: Any, indent: int, draw: Any) -> list[str]:
    """Lines of a block collection at ``indent``."""
    pad = " " * indent
    lines: list[str] = []
    items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
    for key, item in items:
        lead = f"{pad}{_quote(key, draw)}:" if key is not None else f"{pad}-"
        if isinstance(item, dict | list) and item and not draw(st.booleans()):
            if key is None and isinstance(item, dict):
                inner = _block(item, indent + 2, draw)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(lead)
                lines.extend(_block(item, indent + 2, draw))
            continue
        if isinstance(item, dict | list):
            text = _flow(item, draw)
        elif isinstance(item, str) and item and draw(st.booleans()) and item == item.strip():
            body = item.split("\n")
            chomp = "-" if not item.endswith("\n") else ""
            text = "|" + chomp + "".join(f"\n{pad}  {line}" if line else "\n" for line in body)
        else:
            text = _scalar(item, draw, in_flow=False)
        comment = "  # note" if draw(st.booleans()) and not text.startswith("|") else ""
        lines.append(f"{lead} {text}{comment}".rstrip() if text else lead + comment)
    return lines


def _is_regex(text: str) -> bool:
    """An ``old`` key is also a regular expression: the file check refuses invalid ones."""
    try:
        re.compile(text)
    except re.error:
        return False
    return True


def _jsonpath(location: tuple[Any, ...]) -> str:
    parts = "".join(f"[{p}]" if isinstance(p, int) else f"[{json.dumps(p)}]" for p in location)
    return "$" + parts


def _locations(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here] if here else []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _locations(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _locations(value, (*here, i))
    return out


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never flakes on a new draw
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.dictionaries(KEYS, DATA, min_size=1, max_size=4),
    new=NEW_VALUES,
    draw=st.data(),
)
def test_staged_text_reads_back_as_the_intended_data(data: Any, new: Any, draw: Any) -> None:
    text = "# header\n" + "\n".join(_block(data, 0, draw.draw)) + "\n"
    try:
        doc = parse_yaml(text, "doc.yaml")
    except SpecError:
        assume(False)  # the generator wrote something YAML reads otherwise: not this test's job
    assume(doc.data == data)
    where = draw.draw(st.sampled_from(_locations(data)))
    old = data
    for part in where:
        old = old[part]
    if isinstance(old, str) and _is_regex(old) and draw.draw(st.booleans()):
        body: dict[str, Any] = {old: new}  # the RFC's literal substitution
    else:
        body = {"$set": new}
    key = _jsonpath(where)
    rule = build_rule("t", key, body, query=compile_jsonpath(key), file="o.yaml", lines={})
    new_data, changes, _ = apply_rules(doc.data, (rule,))
    if not changes:
        return
    staged = edit_text(doc, new_data, changes)  # raises rather than return a broken text
    assert parse_yaml(staged, "staged.yaml").data == new_data
    fast = patch_scalars(doc, new_data, changes)  # the span edit alone, before any fallback
    if fast is not None:
        assert parse_yaml(fast, "fast.yaml").data == new_data
        assert fast.count("# note") == text.count("# note")  # comments kept
