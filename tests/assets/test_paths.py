# ruff: noqa: PTH114, PTH118 - the reference walk is the former os.path code, kept as it was
from pathlib import Path

import pytest

from envyard.assets.discovery.discover import discover
from envyard.assets.discovery.paths import release_files
from envyard.errors import SpecError

from .conftest import env_asset, write


def _asset(root: Path, release_paths: list[str]):  # type: ignore[no-untyped-def]
    lines = "release_paths:\n" + "".join(f'  - "{p}"\n' for p in release_paths)
    env_asset(root, "demo-debian11", folder="envs/demo", extra_asset=lines)
    (root / ".git").mkdir()
    return discover([root], root).assets[0]


def test_release_paths_with_exclusions(tmp_path: Path) -> None:
    write(tmp_path, "src/lib.py", "x = 1\n")
    write(tmp_path, "src/test/test_lib.py", "def test(): pass\n")
    write(tmp_path, "src/test/data.txt", "data\n")
    asset = _asset(tmp_path, ["../../src", "!../../src/test"])
    names = [asset.rel(p) for p in release_files(asset)]
    assert "src/lib.py" in names
    assert not any(n.startswith("src/test") for n in names)
    assert "envs/demo/asset.yaml" in names
    assert "envs/demo/context/Dockerfile" in names


def test_a_path_outside_the_repository_is_an_error_at_its_line(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    asset = _asset(repo, ["../../../outside"])
    with pytest.raises(SpecError) as info:
        release_files(asset)
    (diag,) = info.value.diagnostics
    assert diag.line == 7
    assert diag.field == "release_paths[0]"
    assert "outside the repository" in diag.message


def test_a_symlink_escaping_the_repository_is_an_error(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (tmp_path / "secret.txt").write_text("s", encoding="utf-8")
    write(repo, "shared/ok.txt", "ok\n")
    (repo / "shared" / "link.txt").symlink_to(tmp_path / "secret.txt")
    asset = _asset(repo, ["../../shared"])
    with pytest.raises(SpecError) as info:
        release_files(asset)
    assert "links outside the repository" in str(info.value)


def test_a_missing_release_path_is_an_error(tmp_path: Path) -> None:
    asset = _asset(tmp_path, ["../../nothing"])
    with pytest.raises(SpecError) as info:
        release_files(asset)
    assert "'../../nothing' does not exist" in str(info.value)


def _walk_reference(path: str, root: str, errors: list[str]) -> list[str]:
    """The os.walk version the scandir walk replaced (same files, order and errors)."""
    import os

    from envyard.assets.discovery.paths import SKIP_NAMES, _files_under_link
    from envyard.assets.fsutil import inside as _inside

    out: list[str] = []
    for folder, dirs, files in os.walk(path):
        kept = []
        for name in sorted(dirs):
            if name in SKIP_NAMES:
                continue
            sub = os.path.join(folder, name)
            if os.path.islink(sub):
                out.extend(_files_under_link(sub, root, errors))
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name in SKIP_NAMES:
                continue
            file = os.path.join(folder, name)
            if os.path.islink(file):
                real = os.path.realpath(file)
                if not _inside(real, root):
                    errors.append(f"'{file}' links outside the repository (to {real})")
                    continue
            out.append(file)
    return out


def test_the_folder_walk_matches_os_walk(tmp_path: Path) -> None:
    from envyard.assets.discovery.paths import files_under

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    for name in ("a/z.txt", "a/b/c.txt", "a/b/.DS_Store", "a/__pycache__/x.pyc", "shared/s.txt"):
        write(repo, name, "x\n")
    write(outside, "secret.txt", "x\n")
    (repo / "a" / "B").mkdir()
    (repo / "a" / "link-in").symlink_to(repo / "shared")
    (repo / "a" / "link-out").symlink_to(outside)
    (repo / "a" / "file-out").symlink_to(outside / "secret.txt")
    (repo / "a" / "dangling").symlink_to(repo / "missing")
    errors: list[str] = []
    expected_errors: list[str] = []
    got = files_under(str(repo / "a"), str(repo), errors)
    expected = _walk_reference(str(repo / "a"), str(repo), expected_errors)
    assert got == expected
    assert errors == expected_errors
    assert len(errors) == 2
    assert str(repo / "a" / "link-in" / "s.txt") in got
    assert str(repo / "a" / "dangling") in got
