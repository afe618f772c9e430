"""Paths an asset names outside the repository (AST013): validate reports each at its
file:line, and release, pin and build refuse before writing anything; nothing from outside
is ever read into a release. Real git repositories, both release layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.testing.git import GitRepo

from .conftest import env_asset, write

DATA_SPEC = (
    "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\n"
    'name: "{{asset.name}}"\nversion: "{{asset.version}}"\ntype: uri_folder\npath: PATH\n'
)
COMPONENT_SPEC = (
    "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
    'name: "{{asset.name}}"\nversion: "{{asset.version}}"\ntype: command\ncode: CODE\n'
    "command: python run.py\n"
)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    folder = tmp_path / "secret"
    write(folder, "token.txt", "SECRET=hunter2\n")
    write(folder, "Dockerfile", "FROM 127.0.0.1:5000/base/python:3.11\n")
    return folder


def _data(repo: GitRepo, path: str) -> None:
    repo.write(
        "assets/d1/asset.yaml", "name: evil_thing\nversion: 1\ntype: data\nspec: spec.yaml\n"
    )
    repo.write("assets/d1/spec.yaml", DATA_SPEC.replace("PATH", path))


def _component(repo: GitRepo, code: str) -> None:
    repo.write(
        "assets/c1/asset.yaml", "name: evil_comp\nversion: 1\ntype: component\nspec: spec.yaml\n"
    )
    repo.write("assets/c1/spec.yaml", COMPONENT_SPEC.replace("CODE", code))


def _latest_branch(repo: GitRepo) -> str:
    """A release branch ``rel`` in the azureml-assets layout, then back on ``main``."""
    repo.commit("main")
    repo.run("checkout", "-q", "--orphan", "rel")
    repo.run("rm", "-rfq", ".")
    repo.write("latest/data/p/asset.yaml", "name: p\nversion: 1\ntype: data\nspec: spec.yaml\n")
    repo.write("latest/data/p/spec.yaml", "name: p\nversion: 1\ntype: uri_file\npath: asset.yaml\n")
    repo.commit("rel")
    repo.run("checkout", "-qf", "main")
    return repo.head("rel")


def _refs(repo: GitRepo) -> str:
    return repo.run("for-each-ref", "--format=%(refname) %(objectname)")


def _refuses_release(repo: GitRepo, capsys: pytest.CaptureFixture[str], *expected: str) -> None:
    """Both layouts: exit 1 naming the file:line and field, no ref moved or created."""
    _latest_branch(repo)
    for branch in ("rel", "fresh"):
        before = _refs(repo)
        for extra in (["--dry-run"], []):
            code = run(
                [
                    "asset",
                    "release",
                    "--repo",
                    str(repo.path / "assets"),
                    "--release-branch",
                    branch,
                    *extra,
                ]
            )
            err = capsys.readouterr().err
            assert code == 1, err
            for text in expected:
                assert text in err, err
        assert _refs(repo) == before


def _validate(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["asset", "validate", str(repo.path / "assets")])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_a_data_path_outside_is_located_and_never_released(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _data(git_repo, "../../../secret")
    code, out = _validate(git_repo, capsys)
    assert code == 1
    assert "assets/d1/spec.yaml:5:7: path: '../../../secret' is outside the repository" in out
    assert "[AST013]" in out
    _refuses_release(git_repo, capsys, "assets/d1/spec.yaml:5:7: path:", "outside the repository")
    listing = git_repo.run("ls-tree", "-r", "--name-only", "rel")
    assert "token.txt" not in listing


def test_a_component_code_folder_outside_is_refused(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _component(git_repo, "../../../secret")
    code, out = _validate(git_repo, capsys)
    assert code == 1
    assert "assets/c1/spec.yaml:5:7: code: '../../../secret' is outside" in out
    _refuses_release(git_repo, capsys, "assets/c1/spec.yaml:5:7: code:")


def test_a_link_into_the_outside_counts_as_outside(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (git_repo.path / "assets" / "c1").mkdir(parents=True)
    (git_repo.path / "assets" / "c1" / "src").symlink_to(secret)
    _component(git_repo, "src")
    code, out = _validate(git_repo, capsys)
    assert code == 1
    assert f"code: 'src' is outside the repository (at {secret})" in out
    _refuses_release(git_repo, capsys, "assets/c1/spec.yaml:5:7: code:")


def test_a_link_inside_a_named_folder_stops_the_release(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The code folder is inside; a file in it links out: the release refuses (the files
    below a named folder are checked as they are read)."""
    write(git_repo.path, "assets/src/run.py", "print(1)\n")
    (git_repo.path / "assets" / "src" / "token.txt").symlink_to(secret / "token.txt")
    _component(git_repo, "../src")
    _latest_branch(git_repo)
    before = _refs(git_repo)
    code = run(
        ["asset", "release", "--repo", str(git_repo.path / "assets"), "--release-branch", "rel"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "links outside the repository" in err, err
    assert _refs(git_repo) == before


def test_a_spec_outside_is_never_read(
    git_repo: GitRepo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "elsewhere/spec.yaml", "not: [a mapping\n")  # read, it would not parse
    git_repo.write(
        "assets/d1/asset.yaml",
        "name: evil_thing\nversion: 1\ntype: data\nspec: ../../../elsewhere/spec.yaml\n",
    )
    code, out = _validate(git_repo, capsys)
    assert code == 1
    assert "assets/d1/asset.yaml:4:7: spec: '../../../elsewhere/spec.yaml' is outside" in out
    assert "mapping" not in out and "AST001" not in out
    _refuses_release(git_repo, capsys, "assets/d1/asset.yaml:4:7: spec:")


def test_a_tag_naming_a_file_outside_is_refused(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo.path, "assets/d1/data.txt", "x\n")
    _data(git_repo, "data.txt")
    spec = git_repo.path / "assets" / "d1" / "spec.yaml"
    text = spec.read_text().replace("uri_folder", "uri_file")
    spec.write_text(text + "tags:\n  Notes: ../../../secret/token.txt\n", encoding="utf-8")
    code, out = _validate(git_repo, capsys)
    assert code == 1
    assert "assets/d1/spec.yaml:7:10: tags.Notes: '../../../secret/token.txt' is outside" in out
    _refuses_release(git_repo, capsys, "tags.Notes:")


def test_a_build_context_outside_is_refused_by_validate_pin_and_release(
    git_repo: GitRepo, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env_asset(git_repo.path, "sklearn-1.6", folder="assets/sklearn-1.6")
    env = folder / "environment.yaml"
    env.write_text(env.read_text().replace("dir: context", "dir: ../../../secret"))
    code, out = _validate(git_repo, capsys)
    assert code == 1
    where = "assets/sklearn-1.6/environment.yaml:5:10: image.context.dir:"
    assert f"{where} '../../../secret' is outside the repository" in out
    out_dir = tmp_path / "pinned"
    assert run(["asset", "pin", str(folder), "-o", str(out_dir)]) == 1
    assert where in capsys.readouterr().err
    assert not out_dir.exists()
    build = ["asset", "build", "sklearn-1.6", "--repo", str(git_repo.path), "--version", "1"]
    assert run(build) == 1
    assert where in capsys.readouterr().err  # refused before a build tool is run
    _refuses_release(git_repo, capsys, where)


def test_a_link_out_of_the_build_context_stops_the_pin(
    git_repo: GitRepo, secret: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env_asset(git_repo.path, "sklearn-1.6", folder="assets/sklearn-1.6")
    (folder / "context" / "token.txt").symlink_to(secret / "token.txt")
    out_dir = tmp_path / "pinned"
    assert run(["asset", "pin", str(folder), "-o", str(out_dir)]) == 1
    err = capsys.readouterr().err
    assert "links outside the repository" in err, err
    assert not out_dir.exists()


def test_paths_inside_the_repository_stay_valid(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    write(git_repo.path, "assets/src/run.py", "print(1)\n")
    _component(git_repo, "../src")
    write(git_repo.path, "shared/data/a.txt", "a\n")
    _data(git_repo, "../../shared/data")
    code, out = _validate(git_repo, capsys)
    assert code == 0, out
    assert "0 error(s)" in out


def test_the_cached_resolution_is_realpath(tmp_path: Path) -> None:
    """``real_path`` with its folder cache answers as ``os.path.realpath`` does: links to
    folders and files, ``..`` after a link, links to links, a loop, missing parts."""
    import itertools
    import os

    from envyard.assets.fsutil import real_path

    write(tmp_path, "repo/a/b/file.txt", "x\n")
    write(tmp_path, "out/c/d.txt", "x\n")
    (tmp_path / "repo" / "a" / "up").symlink_to(tmp_path / "out" / "c")
    (tmp_path / "repo" / "a" / "rel").symlink_to("b")
    (tmp_path / "repo" / "a" / "chain").symlink_to("up")
    (tmp_path / "repo" / "a" / "loop").symlink_to("loop")
    (tmp_path / "repo" / "a" / "b" / "f").symlink_to("../../../out/c/d.txt")
    names = ["b", "up", "rel", "chain", "loop", "..", ".", "f", "file.txt", "missing", "b/"]
    cache: dict[str, str] = {}
    checked = 0
    for depth in (1, 2, 3):
        for parts in itertools.product(names, repeat=depth):
            path = os.path.join(str(tmp_path / "repo" / "a"), *parts)  # noqa: PTH118
            found = real_path(path, cache)
            if "loop" in parts:  # realpath stops resolving there (the system: ELOOP)
                continue
            assert found == os.path.realpath(path), path
            checked += 1
    assert checked == 1110


def test_a_template_file_outside_is_reported_and_never_read(
    git_repo: GitRepo, secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (secret / "Dockerfile").write_text("FROM x:{{no-such-tag}}\n", encoding="utf-8")
    folder = env_asset(git_repo.path, "sklearn-1.6", folder="assets/sklearn-1.6")
    env = folder / "environment.yaml"
    text = env.read_text().replace("- Dockerfile", "- ../../../../secret/Dockerfile")
    env.write_text(text, encoding="utf-8")
    code, out = _validate(git_repo, capsys)
    assert code == 1
    where = "assets/sklearn-1.6/environment.yaml:7:9: image.context.template_files[0]:"
    assert f"{where} '../../../../secret/Dockerfile' is outside the repository" in out, out
    assert "no-such-tag" not in out  # read, it would be an unknown tag (AST014)
