"""Where temporary staging folders go, and how they disappear."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envyard.overrides.staging import write as writer
from envyard.overrides.staging.planner import Plan, plan

from .conftest import write


def _plan(tmp_path: Path, files: dict[str, str]) -> Plan:
    write(tmp_path, files)
    return plan([Path("s.yaml")], (), cwd=tmp_path)


def test_explicit_staging_dir_wins(tmp_path: Path) -> None:
    the_plan = _plan(tmp_path, {"s.yaml": "name: a\n"})
    assert writer.staging_parent(the_plan) == os.environ["ENVYARD_STAGING_DIR"]


def test_memory_backed_folder_for_small_stagings_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ENVYARD_STAGING_DIR")
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(writer, "_SHM", shm)
    small = _plan(tmp_path / "a", {"s.yaml": "name: a\n"})
    assert writer.staging_parent(small) == str(shm)
    with_folder = _plan(tmp_path / "b", {"s.yaml": "name: a\ncode: src\n", "src/x.py": "1\n"})
    assert writer.staging_parent(with_folder) is None
    monkeypatch.setattr(writer, "_SHM_LIMIT", 4)
    assert writer.staging_parent(small) is None


def test_remove_later_makes_the_folder_disappear_at_once(tmp_path: Path) -> None:
    root = tmp_path / "envyard-stage-x"
    write(root, {"a/b.yaml": "x: 1\n"})
    writer.remove_later(root)
    assert not root.exists()
    writer.finish_removals()
    assert list(tmp_path.iterdir()) == []


def test_staged_paths_are_made_when_asked_for_and_stay_the_same(tmp_path: Path) -> None:
    paths = writer.StagedPaths(tmp_path, {Path("/src/a/s.yaml"): "a/s.yaml", Path("/x"): "x"})
    assert len(paths) == 2
    assert list(paths) == [Path("/src/a/s.yaml"), Path("/x")]
    assert paths[Path("/src/a/s.yaml")] == tmp_path / "a" / "s.yaml"
    assert paths[Path("/src/a/s.yaml")] is paths[Path("/src/a/s.yaml")]
    assert dict(paths.items()) == {
        Path("/src/a/s.yaml"): tmp_path / "a/s.yaml",
        Path("/x"): tmp_path / "x",
    }
    assert paths.get(Path("/missing")) is None
    with pytest.raises(KeyError):
        paths[Path("/missing")]
