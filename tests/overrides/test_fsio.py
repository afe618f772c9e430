"""String-path helpers: the same answers as os.path.realpath and Path.read_bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envyard.overrides.staging import fsio


def test_resolver_follows_symlinked_folders_and_files_like_realpath(tmp_path: Path) -> None:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "f.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "sub" / "g.yaml").symlink_to(tmp_path / "real" / "sub" / "f.yaml")
    (tmp_path / "real" / "dangling.yaml").symlink_to(tmp_path / "nowhere")
    resolver = fsio.Resolver()
    for name in [
        "link/sub/f.yaml",
        "link/sub/g.yaml",
        "real/sub/f.yaml",
        "link/dangling.yaml",
        "link/sub/missing.yaml",
        "missing/sub/x.yaml",
    ]:
        path = str(tmp_path / name)
        real, is_dir = resolver.resolve(path)
        assert real == os.path.realpath(path), name
        assert (is_dir is not None) == Path(path).exists(), name
        assert bool(is_dir) == Path(path).is_dir(), name


def test_resolver_told_by_a_walk_answers_like_realpath_and_stat(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.yaml").write_text("a: 1\n", encoding="utf-8")
    steps = tmp_path / "steps"
    (steps / "a" / "sub").mkdir(parents=True)
    (steps / "a" / "spec.yaml").write_text("name: a\n", encoding="utf-8")
    (steps / "a" / "conda.yaml").symlink_to(tmp_path / "outside" / "x.yaml")
    (steps / "a" / "folder").symlink_to(tmp_path / "outside")
    (steps / "b").symlink_to(steps / "a")
    resolver = fsio.Resolver()
    found = fsio.walk_files(str(steps), (".yaml",), resolver)
    assert found == fsio.walk_files(str(steps), (".yaml",))  # the same listing either way
    assert found == [str(steps / "a" / "conda.yaml"), str(steps / "a" / "spec.yaml")]
    for name in ["a/spec.yaml", "a/conda.yaml", "a/sub", "a/folder", "a/folder/x.yaml", "b"]:
        path = str(steps / name)
        real, is_dir = resolver.resolve(path)
        assert real == os.path.realpath(path), name
        assert is_dir == Path(path).is_dir(), name


def test_read_bytes_reads_large_files_whole_and_refuses_past_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    data = b"x: " + b"y" * 200_000 + b"\n"
    big.write_bytes(data)
    assert fsio.read_bytes(str(big), 1_000_000) == data
    assert fsio.read_bytes(str(big), 100_000) is None
    small = tmp_path / "small.yaml"
    small.write_bytes(b"a: 1\n")
    assert fsio.read_bytes(str(small), 10) == b"a: 1\n"


def test_make_folder_creates_parents_and_accepts_existing_folders(tmp_path: Path) -> None:
    fsio.make_folder(str(tmp_path / "a" / "b"))
    fsio.make_folder(str(tmp_path / "a" / "b"))
    assert (tmp_path / "a" / "b").is_dir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(FileExistsError):
        fsio.make_folder(str(tmp_path / "file"))
