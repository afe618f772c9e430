"""A parsed file: plain data, plus where each key and value stands (computed when asked)."""

from __future__ import annotations

from typing import Any

from envyard.yamlio.paths import Path_, Position


class Document:
    """``data`` read from ``file``; :meth:`position` says where a key or value was written.

    Position tables are built from the node tree on the first :meth:`position` call: a valid
    file never needs them. ``node`` is the composed root (``None`` for data that came from
    elsewhere, such as an API body, where every position is 1:1).
    """

    __slots__ = ("_keys", "_values", "data", "file", "node")

    def __init__(
        self,
        file: str,
        data: Any,
        keys: dict[Path_, Position] | None = None,
        values: dict[Path_, Position] | None = None,
        *,
        node: Any = None,
    ) -> None:
        self.file = file
        self.data = data
        self.node = node
        self._keys = keys
        self._values = values

    @property
    def keys(self) -> dict[Path_, Position]:
        """``path -> (line, col)`` of each mapping key (and each list item)."""
        return self._tables()[0]

    @property
    def values(self) -> dict[Path_, Position]:
        """``path -> (line, col)`` of each value."""
        return self._tables()[1]

    def _tables(self) -> tuple[dict[Path_, Position], dict[Path_, Position]]:
        if self._keys is None or self._values is None:
            self._keys, self._values = {}, {}
            if self.node is not None:
                from envyard.yamlio.convert import collect

                collect(self.node, self._keys, self._values)
        return self._keys, self._values

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """1-based (line, col) of ``path``, falling back to the nearest parent that exists."""
        keys, values = self.keys, self.values
        table = keys if key else values
        for end in range(len(path), 0, -1):
            sub = path[:end]
            found = table.get(sub) or keys.get(sub)
            if found:
                return found
        return (1, 1)

    def __getstate__(self) -> tuple[str, Any, dict[Path_, Position], dict[Path_, Position]]:
        return (self.file, self.data, self.keys, self.values)  # node trees do not pickle

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.file, self.data, self._keys, self._values = state
        self.node = None

    def __repr__(self) -> str:
        return f"Document(file={self.file!r}, data={self.data!r})"
