"""Moved to :mod:`envyard.yamlio`; these names stay importable from here for a while."""

from envyard.yamlio import MAX_NODES, Document, Path_, YamlFloat
from envyard.yamlio import parse as parse_document

__all__ = ["MAX_NODES", "Document", "Path_", "YamlFloat", "parse_document"]
