"""A kernel's pip lines that cannot be locked are named as the kernel's lines, never by the
temporary requirements file uv is given (real uv, the session's pypiserver)."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import ResolveError
from envyard.launch.kernelspec import KernelSpec
from envyard.locking.pip import requirement_problem
from envyard.locking.resolve import lock_kernel

pytestmark = pytest.mark.usefixtures("locking_index")


def _lock(*pip: str, cwd: Path) -> None:
    lock_kernel(KernelSpec(name="k", python=None, pip=pip, conda=(), channels=()), cwd=cwd)


def test_a_line_that_is_not_a_requirement_is_named(tmp_path: Path) -> None:
    with pytest.raises(ResolveError) as info:
        _lock("six", "six==nope!!", cwd=tmp_path)
    assert "kernel 'k': pip line 2 'six==nope!!' is not a requirement: " in str(info.value)


def test_uv_errors_name_the_kernels_line_not_a_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(ResolveError) as info:
        _lock("six", " --hash=sha256:00", cwd=tmp_path)
    text = str(info.value)
    assert "requirements.in" not in text and "envyard-lock-" not in text
    assert "pip line 2" in text


@pytest.mark.parametrize(
    ("line", "bad"),
    [
        ("six==1.16.0", False),
        ("attrs>=23 ; python_version > '3'", False),
        ("six==1.16.0 --hash=sha256:ab  # pinned", False),
        ("pkg-1.0-py3-none-any.whl", False),
        ("./src", False),
        ("git+https://example.invalid/x.git", False),
        ("--index-url https://example.invalid/simple", False),
        ("six==nope!!", True),
        ("six ==", True),
    ],
)
def test_requirement_problem(line: str, bad: bool) -> None:
    assert (requirement_problem(line) is not None) == bad
