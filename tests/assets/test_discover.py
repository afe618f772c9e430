from pathlib import Path

import pytest

from envyard.assets.discovery.discover import discover, repo_root
from envyard.cli.main import run
from envyard.errors import NotFoundError
from envyard.testing.git import GitRepo

from .conftest import env_asset, write


def test_discovers_every_asset_type_and_loads_environment_files(tmp_path: Path) -> None:
    env_asset(tmp_path, "demo-debian11", folder="envs/demo")
    write(tmp_path, "components/train/asset.yaml", "type: component\nspec: spec.yaml\n")
    write(tmp_path, "components/train/spec.yaml", "name: train\nversion: 2\n")
    write(tmp_path, "node_modules/x/asset.yaml", "type: code\nspec: s.yaml\n")
    found = discover([tmp_path], tmp_path)
    by_name = {a.name: a for a in found.assets}
    assert set(by_name) == {"demo-debian11", "train"}
    env = by_name["demo-debian11"]
    assert env.env is not None and env.env.image.name == "azureml/curated/demo-debian11"
    assert env.auto_version
    component = by_name["train"]
    assert component.type == "component"
    assert component.version == "2"  # read from the spec when asset.yaml has none
    assert found.by_name("component/train") is component
    with pytest.raises(NotFoundError) as info:
        found.by_name("nope")
    assert "demo-debian11" in str(info.value.hint)


def test_broken_files_become_diagnostics_not_crashes(tmp_path: Path) -> None:
    write(tmp_path, "a/asset.yaml", "type: environment\nspec: spec.yaml\nnmae: x\n")
    env_asset(tmp_path, "good-debian11", folder="b")
    write(tmp_path, "b/environment.yaml", "image:\n  name: [1\n")
    write(tmp_path, "c/asset.yaml", "type: environment\n")
    found = discover([tmp_path], tmp_path)
    # an unknown key is a warning (the reference ignores it): the asset still loads
    assert [a.name for a in found.assets] == ["a", "good-debian11"]
    rendered = [d.render() for d in found.diagnostics]
    unknown = "a/asset.yaml:3:1: warning: nmae: unknown field 'nmae' (hint: did you mean 'name'?)"
    assert any(unknown in r for r in rendered), rendered
    assert any("b/environment.yaml:3:1: not valid YAML" in r for r in rendered), rendered
    assert any("c/asset.yaml:1:1: spec: required field 'spec' is missing" in r for r in rendered), (
        rendered
    )
    kinds = {(d.rule, d.severity) for d in found.diagnostics}
    assert {("AST001", "error"), ("AST016", "warning")} <= kinds


def test_repo_root_is_the_git_work_tree(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "x" / "y").mkdir(parents=True)
    assert repo_root(tmp_path / "x" / "y") == tmp_path.resolve()


def test_cli_lists_every_asset_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from envyard.cli.main import run

    env_asset(tmp_path, "demo-debian11", folder="envs/demo")
    write(tmp_path, "models/m/asset.yaml", "name: m\nversion: 3\ntype: model\nspec: spec.yaml\n")
    write(tmp_path, "models/m/spec.yaml", "name: m\n")
    assert run(["asset", "list", str(tmp_path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["type"], r["name"], r["version"]) for r in rows] == [
        ("environment", "demo-debian11", "auto"),
        ("model", "m", "3"),
    ]


def test_the_folder_walk_finds_what_os_walk_finds(tmp_path: Path) -> None:
    import os

    from envyard.assets.discovery.discover import ASSET_FILENAMES, SKIP_DIRS, find_asset_files

    for folder in ("a", "a/b", "a/.hidden", "a/node_modules", "c", "c/d/e", "B"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "asset.yaml").write_text("x: 1\n")
    (tmp_path / "c" / "asset.yml").write_text("x: 1\n")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    (tmp_path / "B" / "asset.yml").symlink_to(tmp_path / "missing")

    def reference() -> list[Path]:
        out = []
        for folder, dirs, files in os.walk(tmp_path):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            out += [Path(folder) / name for name in ASSET_FILENAMES if name in files]
        return out

    found = list(find_asset_files([tmp_path]))
    assert found == reference()
    assert tmp_path / "c" / "d" / "e" / "asset.yaml" in found
    assert not any("link" in str(p) or "hidden" in str(p) for p in found)


def test_nested_repositories_and_excluded_folders_are_not_entered(tmp_path: Path) -> None:
    """Issue 16: `asset release --repo .` in a checkout must not read test scenarios."""
    env_asset(tmp_path, "pytorch-2.3-main", folder="envs/main")
    write(tmp_path, "tests/broken/asset.yaml", "type: [\n")
    write(tmp_path, "fixtures/other/envyard.toml", "[assets]\n")
    write(tmp_path, "fixtures/other/x/asset.yaml", "type: [\n")
    found = discover([tmp_path], tmp_path, exclude=["tests"])
    assert [a.name for a in found.assets] == ["pytorch-2.3-main"]
    assert found.diagnostics == []
    # named explicitly, a nested repository is read as it is
    assert discover([tmp_path / "fixtures" / "other"], tmp_path).diagnostics


def test_exclude_setting_applies_to_validate_and_release(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(git_repo.path, "pytorch-2.3-main", folder="assets/main")
    write(git_repo.path, "test/resources/broken/asset.yaml", "type: [\n")
    git_repo.commit("repo")
    assert run(["asset", "validate", str(git_repo.path)]) == 1
    write(git_repo.path, "envyard.toml", '[assets]\nexclude = ["test/resources"]\n')
    git_repo.commit("settings")
    assert run(["asset", "validate", str(git_repo.path)]) == 0
    argv = ["asset", "release", "--repo", str(git_repo.path), "--dry-run"]
    assert run(argv) == 0
    assert "1 new" in capsys.readouterr().out
