"""write_atomic: readers never see half a file; new files get the umask's mode (issue 16.7)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from envyard.atomicfile import current_umask, write_atomic


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_new_file_gets_the_umask_mode(tmp_path: Path, umask_022: None) -> None:
    assert current_umask() == 0o022
    target = tmp_path / "deep" / "junit.xml"
    write_atomic(target, "<testsuites/>")
    assert target.read_text() == "<testsuites/>"
    assert target.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert [p.name for p in target.parent.iterdir()] == ["junit.xml"]


def test_existing_file_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "run.sh"
    target.write_text("old")
    target.chmod(0o750)
    write_atomic(target, b"new")
    assert (target.read_bytes(), target.stat().st_mode & 0o777) == (b"new", 0o750)


def test_failure_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "lock.yaml"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["lock.yaml"]
