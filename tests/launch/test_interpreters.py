"""Interpreter discovery: version matching, the running interpreter, a clear miss."""

from __future__ import annotations

import sys

import pytest

from envyard.errors import MissingDependencyError
from envyard.launch.interpreters import find_interpreter, matches


def test_matches_by_components() -> None:
    assert matches("3.10.13", "3.10")
    assert matches("3.10.13", "3")
    assert matches("3.10.13", "3.10.13")
    assert not matches("3.10.13", "3.1")
    assert not matches("3.10.13", "3.10.1")


def test_current_interpreter_for_no_request_and_its_own_version() -> None:
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert find_interpreter(None).version.startswith(current)
    found = find_interpreter(current)
    assert matches(found.version, current)


def test_missing_version_names_it_and_never_downloads(tmp_path: object) -> None:
    with pytest.raises(MissingDependencyError) as info:
        find_interpreter("2.1", {"PATH": "/nonexistent", "HOME": "/nonexistent"})
    assert "Python 2.1" in str(info.value)
    assert "never downloads" in str(info.value)
