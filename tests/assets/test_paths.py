from pathlib import Path

import pytest

from envyard.assets.discover import discover
from envyard.assets.paths import release_files
from envyard.errors import SpecError

from .conftest import env_asset, write


def _asset(root: Path, release_paths: list[str]):  # type: ignore[no-untyped-def]
    lines = "release_paths:\n" + "".join(f'  - "{p}"\n' for p in release_paths)
    env_asset(root, "demo-ubuntu22.04", folder="envs/demo", extra_asset=lines)
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
