"""Order image tags the way people mean them: numeric parts compare as numbers.

``v9 < v10``, ``1.9.2 < 1.10.0``; for fixed-width tags (``monthly.202401``) this is the same
order as plain string comparison, because equal-width digit runs compare alike both ways.
Runs of digits compare by value (then by width, so ``01`` and ``1`` are still distinct);
anywhere else the rest of the two strings compare as strings, which keeps the order total and
identical to ``str`` order wherever numbers play no part.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

_RUNS = re.compile(r"\d+|\D+")


def _cmp(a: str, b: str) -> int:
    ra, rb = _RUNS.findall(a), _RUNS.findall(b)
    offset = 0
    for x, y in zip(ra, rb, strict=False):
        if x == y:
            offset += len(x)
            continue
        if x.isdigit() and y.isdigit():
            nx, ny = int(x), int(y)
            if nx != ny:
                return -1 if nx < ny else 1
            return -1 if len(x) < len(y) else 1
        # otherwise the rest of the strings compare as strings (plain lexicographic order)
        return -1 if a[offset:] < b[offset:] else 1
    if len(ra) != len(rb):
        return -1 if len(ra) < len(rb) else 1
    return 0 if a == b else (-1 if a < b else 1)


tag_key = functools.cmp_to_key(_cmp)


def newest(tags: Iterable[str]) -> str | None:
    """The greatest tag in natural order, or None for no tags."""
    items = list(tags)
    return max(items, key=tag_key) if items else None


def sort_tags(tags: Iterable[str], *, reverse: bool = False) -> list[str]:
    return sorted(tags, key=tag_key, reverse=reverse)
