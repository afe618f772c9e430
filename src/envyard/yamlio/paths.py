"""Where a value stands in a parsed file: its path (keys and indexes), its position, limits."""

from __future__ import annotations

import json
import re

Path_ = tuple[str | int, ...]
Position = tuple[int, int]

MAX_NODES = 200_000
"""More values than this (after aliases are expanded) is refused: a spec is never that big."""


_IDENT = re.compile(r"[A-Za-z_$][\w$-]*", re.ASCII)


def format_path(path: Path_) -> str:
    """``spec.items[0].name``; a key that is not a plain word is quoted (``["a b"]``)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENT.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out
