"""Data -> YAML text: safe block style that :func:`envyard.yamlio.load` reads back unchanged.

libyaml emits (PyYAML's ``CSafeDumper``); whether a string may stay plain is decided by the
project's typing (:mod:`envyard.yamlio.scalars`) *and* YAML 1.1's, so ``'0o17'``, ``'1_000'``
and ``'yes'`` come out quoted and every YAML reader gets a string back. A :class:`YamlFloat`
is written as it was read (``1.10``), dates as ISO text, tuples as lists, and subclasses of
``str``/``int`` (enums, names) as their plain value. Keys keep their order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

import yaml

from envyard.yamlio.scalars import TAG, YamlFloat, plain

_Base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_STR, _INT, _FLOAT, _BOOL, _NULL = (TAG + k for k in ("str", "int", "float", "bool", "null"))


def _tag_of(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return _FLOAT
    return _STR


def plain_is_string(text: str) -> bool:
    """``text`` written unquoted reads back as this string, in Envyard's typing and in YAML 1.1
    readers' (PyYAML, which reads ``yes``, ``on``, ``2024-01-01`` and ``0b101`` as other types).
    Only the typing: whether the characters may stand unquoted is the caller's question."""
    if _tag_of(plain(text)) != _STR:
        return False
    return bool(_resolver().resolve(yaml.ScalarNode, text, _PLAIN) == _STR)


_PLAIN = (True, False)


@functools.cache
def _resolver() -> Any:
    return yaml.resolver.Resolver()


@functools.cache
def _dumper() -> Any:
    class Dumper(_Base):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode and implicit[0]:
                ours = _tag_of(plain(value))
                if ours != _STR:
                    return ours
            return str(super().resolve(kind, value, implicit))  # YAML 1.1 readers too

    def text(dumper: Any, value: str) -> Any:
        value = str.__str__(value)
        style = "|" if "\n" in value and value.strip() == value.rstrip("\n") else None
        return dumper.represent_scalar(_STR, value, style=style)

    def integer(dumper: Any, value: int) -> Any:
        if isinstance(value, bool):
            return dumper.represent_bool(value)
        return dumper.represent_int(int(value))

    def floating(dumper: Any, value: float) -> Any:
        if isinstance(value, YamlFloat):
            return dumper.represent_scalar(_FLOAT, value.text)
        return dumper.represent_float(float(value))

    def date(dumper: Any, value: dt.date) -> Any:
        return dumper.represent_scalar(_STR, value.isoformat())

    Dumper.add_multi_representer(str, text)
    Dumper.add_multi_representer(int, integer)
    Dumper.add_multi_representer(float, floating)
    Dumper.add_multi_representer(dt.date, date)
    Dumper.add_multi_representer(tuple, lambda d, v: d.represent_list(list(v)))
    Dumper.add_multi_representer(PurePath, lambda d, v: d.represent_scalar(_STR, str(v)))
    for exact in (str, int, float, bool, tuple, dt.date, dt.datetime):
        Dumper.yaml_representers.pop(exact, None)
    Dumper.add_representer(bool, lambda d, v: d.represent_bool(v))
    return Dumper


def _options() -> dict[str, Any]:
    return {
        "Dumper": _dumper(),
        "default_flow_style": False,
        "sort_keys": False,
        "allow_unicode": True,
        "width": 4096,
    }


def dump(data: Any) -> str:
    """One document as block-style YAML text."""
    return str(yaml.dump(data, **_options()))


def dump_all(docs: Iterable[Any]) -> str:
    """Several documents, separated by ``---``."""
    return str(yaml.dump_all(list(docs), **_options()))
