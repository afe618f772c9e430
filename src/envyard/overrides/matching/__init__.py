"""Matching: which fields a rule selects in a document and what each becomes.

- ``rules.py``: a compiled rule (JSONPath, substitutions, operations) and :class:`Change`;
  literal and regular-expression substitution as shrike and the RFC do it.
- ``query.py``: the common JSONPath shapes evaluated straight on plain data.
- ``apply.py``: :func:`apply_rules` — every rule, in order, on a copy of the data made on
  write (:class:`~envyard.overrides.matching.apply.Copy`: untouched parts stay shared).
- ``indexes.py``: ``remove_polymer_pkg_idx`` — package-index lines dropped from package files
  and inline pip lists.
"""
