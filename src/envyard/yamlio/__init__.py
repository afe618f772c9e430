"""The one YAML module: reading with positions at libyaml speed, writing, round-trip edits.

Files:

- ``source.py``     read a user's file safely (size, binary content, encoding) and show its path
- ``compose.py``    text -> node tree with libyaml; syntax errors as one-line SpecErrors
- ``scalars.py``    the one typing: YAML 1.2 core schema as ruamel reads it (documented there),
  :class:`YamlFloat`
- ``paths.py``      a value's path (``spec.items[0]``), positions, the size limit
- ``convert.py``    node tree -> plain data (merge keys, duplicates, alias bombs), positions
- ``document.py``   :class:`Document` (data + lazy positions)
- ``read.py``       :func:`parse`, :func:`load`, :func:`read`
- ``bulk.py``       :func:`bulk`: the cyclic GC paused while thousands of files are read
- ``dump.py``       :func:`dump`, :func:`dump_all` (safe block style, reads back the same)
- ``roundtrip.py``  :func:`roundtrip_load`, :func:`roundtrip_dump` (ruamel, comments kept) for
  commands whose purpose is to edit a user's file

Every problem is an :class:`envyard.errors.SpecError` with one diagnostic,
``file:line:col field: message (hint: ...)``. Nothing here imports ruamel unless a round-trip
function is called.
"""

from __future__ import annotations

from envyard.yamlio.bulk import bulk
from envyard.yamlio.compose import MappingNode, Node, ScalarNode, SequenceNode, compose
from envyard.yamlio.convert import to_data
from envyard.yamlio.document import Document
from envyard.yamlio.dump import dump, dump_all, plain_is_string
from envyard.yamlio.paths import MAX_NODES, Path_, format_path
from envyard.yamlio.read import load, parse, read
from envyard.yamlio.roundtrip import roundtrip_dump, roundtrip_load
from envyard.yamlio.scalars import IMPLICIT, YamlFloat, plain, tagged

__all__ = [
    "IMPLICIT",
    "MAX_NODES",
    "Document",
    "MappingNode",
    "Node",
    "Path_",
    "ScalarNode",
    "SequenceNode",
    "YamlFloat",
    "bulk",
    "compose",
    "dump",
    "dump_all",
    "format_path",
    "load",
    "parse",
    "plain",
    "plain_is_string",
    "read",
    "roundtrip_dump",
    "roundtrip_load",
    "tagged",
    "to_data",
]
