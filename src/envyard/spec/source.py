"""Moved to :mod:`envyard.yamlio.source`; these names stay importable from here."""

from envyard.yamlio.source import MAX_SPEC_BYTES, display_path, read_spec_text, read_text

__all__ = ["MAX_SPEC_BYTES", "display_path", "read_spec_text", "read_text"]
