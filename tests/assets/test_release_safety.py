"""A release can be steered by nothing in a file, fails as a user error, and is never half-done.

- names and versions become git refs (``environment/<name>/<version>``): a crafted one must
  fail with file:line before ``git update-ref --stdin`` sees it;
- ``release_paths`` may not name git's own folder;
- ``kill -9`` at random points of ``envyard asset release``: the branch and tags are either
  as before or fully released, and the next run completes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envyard.assets.release.git import Git
from envyard.cli.main import run
from envyard.errors import SpecError
from envyard.testing.git import GitRepo

from .conftest import env_asset, write


def _refs(repo: GitRepo) -> dict[str, str]:
    out = repo.run("for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in out.splitlines())


def _injection(repo: GitRepo) -> str:
    """A name that, written unchecked into ``update-ref --stdin``, resets main to its root."""
    root = repo.run("rev-list", "--max-parents=0", "HEAD").strip()
    return f"x/1 {'0' * 40}\\nupdate refs/heads/main {root}\\nupdate refs/tags/evil {root}"


@pytest.fixture
def history(git_repo: GitRepo) -> GitRepo:
    for index in range(5):
        write(git_repo.path, f"notes/{index}.txt", f"{index}\n")
        git_repo.commit(f"commit {index}")
    return git_repo


def test_a_crafted_name_in_asset_yaml_fails_with_file_and_line(
    history: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = env_asset(history.path, "pytorch-2.3-x", folder="envs/x")
    text = (folder / "asset.yaml").read_text()
    crafted = _injection(history)
    (folder / "asset.yaml").write_text(text.replace("name: pytorch-2.3-x", f'name: "{crafted}"'))
    history.commit("crafted")
    before = _refs(history)
    assert run(["asset", "release", "--repo", str(history.path)]) == 1
    err = capsys.readouterr().err
    assert "envs/x/asset.yaml:1:7: name:" in err and "is not a valid name" in err, err
    assert _refs(history) == before
    assert history.run("rev-list", "--count", "main").strip() == "6"


def test_a_crafted_name_from_the_spec_or_a_version_fails_too(
    history: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    crafted = _injection(history)
    write(history.path, "comp/asset.yaml", "type: component\nspec: spec.yaml\n")
    write(history.path, "comp/spec.yaml", f'name: "{crafted}"\nversion: 1\n')
    write(history.path, "comp2/asset.yaml", "type: component\nspec: spec.yaml\n")
    write(history.path, "comp2/spec.yaml", f'name: comp2\nversion: "{crafted}"\n')
    history.commit("crafted spec")
    before = _refs(history)
    assert run(["asset", "release", "--repo", str(history.path)]) == 1
    err = capsys.readouterr().err
    assert "comp/spec.yaml:1:7: name:" in err, err
    assert "comp2/spec.yaml:2:10: version:" in err, err
    assert _refs(history) == before


@pytest.mark.parametrize(
    "ref",
    [
        "refs/tags/a\nupdate refs/heads/main 0",
        "refs/tags/a b",
        "refs/tags/a..b",
        "refs/tags/a\x7f",
        "heads/main",
        "refs/tags/x.lock",
    ],
)
def test_refs_are_checked_before_update_ref(git_repo: GitRepo, ref: str) -> None:
    git_repo.commit("base", allow_empty=True)
    head = git_repo.head()
    with pytest.raises(SpecError, match="not a valid ref name"):
        Git(git_repo.path).update_refs([(ref, head, None)])
    assert "refs/tags/a" not in _refs(git_repo)


def test_a_release_path_into_dot_git_is_a_user_error(
    git_repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    env_asset(
        git_repo.path,
        "pytorch-2.3-x",
        folder="envs/x",
        extra_asset="release_paths:\n  - ../../.git\n",
    )
    git_repo.commit("asset")
    assert run(["asset", "release", "--repo", str(git_repo.path), "--dry-run"]) == 1
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines  # one diagnostic line, exit 1: a user error, not a crash
    assert (
        "envs/x/asset.yaml:7:5: release_paths[0]: '../../.git' is inside git's own folder"
        in lines[0]
    )


_RELEASE = [sys.executable, "-m", "envyard", "asset", "release", "--allow-unresolved"]


def _state(repo: GitRepo) -> tuple[str | None, frozenset[str]]:
    refs = _refs(repo)
    tags = frozenset(r for r in refs if r.startswith("refs/tags/"))
    return refs.get("refs/heads/release"), tags


def test_kill_9_at_random_points_leaves_nothing_half_done(git_repo: GitRepo) -> None:
    """Each round changes three assets, starts a release and kills it after a random delay
    within one release's duration: before, the refs are as they were; after, the branch and
    all three tags moved together. A normal run then finishes what was left."""
    names = ["pytorch-2.3-a", "pytorch-2.3-b", "pytorch-2.3-c"]
    for name in names:
        env_asset(git_repo.path, name, folder=f"envs/{name}")
    git_repo.commit("assets")
    env = {**os.environ, "ENVYARD_HOME": str(git_repo.path.parent / "home")}
    started = time.monotonic()
    subprocess.run([*_RELEASE, "--repo", str(git_repo.path)], env=env, check=True)
    duration = time.monotonic() - started
    rng = random.Random(1807)  # noqa: S311 - kill points, not secrets
    outcomes = {"before": 0, "after": 0}
    for round_ in range(8):
        for name in names:
            dockerfile = git_repo.path / "envs" / name / "context" / "Dockerfile"
            dockerfile.write_text(dockerfile.read_text() + f"# round {round_}\n")
        git_repo.commit(f"round {round_}")
        before_branch, before_tags = _state(git_repo)
        proc = subprocess.Popen(
            [*_RELEASE, "--repo", str(git_repo.path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        branch, tags = _state(git_repo)
        new_tags = tags - before_tags
        if branch == before_branch:
            assert new_tags == frozenset(), new_tags  # nothing moved
            outcomes["before"] += 1
        else:
            assert len(new_tags) == len(names), new_tags  # everything moved together
            assert {git_repo.head(t) for t in new_tags} == {branch}
            outcomes["after"] += 1
        subprocess.run([*_RELEASE, "--repo", str(git_repo.path)], env=env, check=True)
        assert _state(git_repo)[0] != before_branch  # the next run released the round
        assert git_repo.run("status", "--porcelain") == ""
    assert sum(outcomes.values()) == 8


def test_kill_9_leaves_no_stray_git_lock(git_repo: GitRepo) -> None:
    env_asset(git_repo.path, "pytorch-2.3-a", folder="envs/a")
    git_repo.commit("asset")
    proc = subprocess.Popen(
        [*_RELEASE, "--repo", str(git_repo.path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    leftovers = list(Path(git_repo.path, ".git").rglob("*.lock"))
    assert leftovers == []


@pytest.mark.parametrize(
    "name", ["../../escaped", "a/b", "-rf", "x\ny", "with space", "$(touch pwned)", ".hidden"]
)
def test_hostile_spec_names_never_become_paths_or_refs(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A name from the spec (asset.yaml without one) is checked where it becomes a folder
    (``pin -o``), as where it becomes a ref (release, above)."""
    folder = env_asset(tmp_path, "pytorch-2.3-a", folder="a")
    env_asset(tmp_path, "pytorch-2.3-b", folder="b")
    config = (folder / "asset.yaml").read_text().replace("name: pytorch-2.3-a\n", "")
    (folder / "asset.yaml").write_text(config)
    spec = (folder / "spec.yaml").read_text().replace('"{{asset.name}}"', json.dumps(name))
    (folder / "spec.yaml").write_text(spec)
    out = tmp_path / "out" / "pinned"
    assert run(["asset", "pin", str(tmp_path), "-o", str(out)]) == 1
    assert "a/spec.yaml:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "escaped").exists()
