"""The one way to compile a user's regular expression: Python's syntax warnings never escape."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import pytest

from envyard.regexes import compile_user_regex


def test_nested_set_pattern_compiles_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under `python -W error`
        pattern = compile_user_regex(r"tag-[[]unique-to-this-test]")
    assert pattern.match("tag-[unique-to-this-test]")
    assert pattern.match("tag-unique") is None


def test_an_invalid_pattern_is_still_an_error() -> None:
    with pytest.raises(re.error):
        compile_user_regex("old[")


def test_plain_re_compile_would_have_warned() -> None:
    """Guards the test above: the pattern really is one Python warns about."""
    code = "import re; re.compile(r'guard-[[]x]')"
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "FutureWarning: Possible nested set" in result.stderr
