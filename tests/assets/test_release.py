"""Releases on real git repositories: new, updated, unchanged, manual, removed, atomicity."""

from __future__ import annotations

import json

import pytest

from envyard.assets.config import AssetSettings
from envyard.assets.release.apply import STEPS, apply_release
from envyard.assets.release.plan import plan_release
from envyard.cli.main import run
from envyard.errors import ConflictError, EnvyardError
from envyard.testing.git import GitRepo
from envyard.testing.plugin import unique_name
from envyard.testing.registry import OciRegistry

from .conftest import env_asset, write

BRANCH = "release"


def refs(repo: GitRepo) -> dict[str, str]:
    out = repo.run("for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in out.splitlines())


def release(repo: GitRepo, settings: AssetSettings | None = None, **kw: object):  # type: ignore[no-untyped-def]
    settings = settings or AssetSettings()
    plan = plan_release(repo.path, BRANCH, settings)
    return plan, apply_release(plan, settings, **kw)  # type: ignore[arg-type]


def statuses(plan) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {i.name: (i.status, i.version) for i in plan.items}


def show(repo: GitRepo, path: str) -> str:
    return repo.run("show", f"{BRANCH}:{path}")


@pytest.fixture
def repo(git_repo: GitRepo, oci_registry: OciRegistry) -> GitRepo:
    image = unique_name("base/python")
    oci_registry.push_image(image, ["3.10", "3.11", "latest"], content_seed=image)
    dockerfile = f"FROM {oci_registry.host}/{image}:{{{{latest-image-tag}}}}\n"
    env_asset(git_repo.path, "alpha-debian11", folder="envs/alpha", dockerfile=dockerfile)
    env_asset(git_repo.path, "beta-debian11", folder="envs/beta", dockerfile=dockerfile)
    git_repo.commit("two assets")
    return git_repo


def test_new_then_unchanged_with_zero_requests(repo: GitRepo) -> None:
    plan, result = release(repo)
    assert statuses(plan) == {
        "alpha-debian11": ("new", "1"),
        "beta-debian11": ("new", "1"),
    }
    assert result.requests > 0  # the image tags were resolved against the registry
    assert sorted(repo.tags()) == [
        "environment/alpha-debian11/1",
        "environment/beta-debian11/1",
    ]
    assert repo.head(f"refs/heads/{BRANCH}") == result.commit
    assert repo.head("environment/alpha-debian11/1") == result.commit
    assert "version: 1\n" in show(repo, "envs/alpha/asset.yaml")
    assert show(repo, "envs/alpha/context/Dockerfile").endswith(":3.11")
    lock = json.loads(show(repo, "envs/alpha/envyard.lock.json"))
    assert lock["version"] == "1"
    assert "envs/alpha/context/Dockerfile" in lock["files"]
    assert repo.current_branch() == "main"
    assert repo.run("status", "--porcelain") == ""  # work tree untouched

    before = refs(repo)
    plan, again = release(repo)
    assert {s for s, _ in statuses(plan).values()} == {"unchanged"}
    assert again.requests == 0
    assert again.commit is None
    assert refs(repo) == before


def test_updated_auto_version_goes_one_up(repo: GitRepo) -> None:
    release(repo)
    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    repo.commit("change alpha")
    plan, result = release(repo)
    assert statuses(plan) == {
        "alpha-debian11": ("updated", "2"),
        "beta-debian11": ("unchanged", "1"),
    }
    assert result.tags == ["environment/alpha-debian11/2"]
    assert show(repo, "envs/alpha/context/extra.txt") == "more"
    assert "version: 2\n" in show(repo, "envs/alpha/asset.yaml")
    assert repo.run("rev-list", "--count", BRANCH) == "2"


def test_manual_versions(git_repo: GitRepo) -> None:
    env_asset(git_repo.path, "manual-debian11", version="1.0", dockerfile="FROM busybox:1\n")
    git_repo.commit("manual asset")
    plan, result = release(git_repo)
    assert statuses(plan) == {"manual-debian11": ("new", "1.0")}
    assert result.tags == ["environment/manual-debian11/1.0"]

    # changed but not bumped: 1.0 is released (its tag exists) -> skipped, nothing moves
    write(git_repo.path, "manual-debian11/context/Dockerfile", "FROM busybox:2\n")
    git_repo.commit("change without a bump")
    before = refs(git_repo)
    plan, result = release(git_repo)
    (item,) = plan.items
    assert (item.status, item.version) == ("skipped", "1.0")
    assert "already released" in item.reason
    assert result.commit is None and refs(git_repo) == before

    # manual-unreleased: the release branch holds 1.0 but its tag is gone -> updated in place
    git_repo.run("tag", "-d", "environment/manual-debian11/1.0")
    plan, result = release(git_repo)
    assert statuses(plan) == {"manual-debian11": ("updated", "1.0")}
    assert show(git_repo, "manual-debian11/context/Dockerfile") == "FROM busybox:2"

    # bumped: released as 1.1
    write(
        git_repo.path,
        "manual-debian11/asset.yaml",
        (git_repo.path / "manual-debian11/asset.yaml").read_text().replace("1.0", "1.1"),
    )
    git_repo.commit("bump")
    plan, result = release(git_repo)
    assert statuses(plan) == {"manual-debian11": ("updated", "1.1")}
    assert "environment/manual-debian11/1.1" in git_repo.tags()


def test_removed_assets_leave_the_release_branch(repo: GitRepo) -> None:
    release(repo)
    repo.run("rm", "-r", "--quiet", "envs/beta")
    repo.commit("drop beta")
    plan, _ = release(repo)
    assert statuses(plan)["beta-debian11"] == ("removed", "1")
    files = repo.run("ls-tree", "-r", "--name-only", BRANCH).splitlines()
    assert not any(f.startswith("envs/beta/") for f in files)
    assert any(f.startswith("envs/alpha/") for f in files)
    assert "environment/beta-debian11/1" in repo.tags()  # history keeps its tag


def test_release_paths_are_released(git_repo: GitRepo) -> None:
    write(git_repo.path, "shared/lib.py", "x = 1\n")
    write(git_repo.path, "shared/test/test_lib.py", "pass\n")
    env_asset(
        git_repo.path,
        "gamma-debian11",
        folder="envs/gamma",
        dockerfile="FROM busybox:1\n",
        extra_asset='release_paths:\n  - ../../shared\n  - "!../../shared/test"\n',
    )
    git_repo.commit("gamma")
    release(git_repo)
    files = git_repo.run("ls-tree", "-r", "--name-only", BRANCH).splitlines()
    assert "shared/lib.py" in files
    assert "shared/test/test_lib.py" not in files
    write(git_repo.path, "shared/lib.py", "x = 2\n")
    git_repo.commit("change the shared code")
    plan, _ = release(git_repo)
    assert statuses(plan) == {"gamma-debian11": ("updated", "2")}


def test_a_components_code_outside_its_folder_is_released(git_repo: GitRepo) -> None:
    """As in azureml-assets' layout (111 of its components use `code: ../..`): the code folder
    goes with the asset, and a change to it releases the asset again (before, Envyard's own
    layout left it out and saw such a change as nothing)."""
    write(git_repo.path, "components/src/run.py", "print(1)\n")
    git_repo.write(
        "components/train/asset.yaml",
        "name: train\nversion: auto\ntype: component\nspec: spec.yaml\n",
    )
    git_repo.write(
        "components/train/spec.yaml",
        "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\n"
        'name: "{{asset.name}}"\nversion: "{{asset.version}}"\ntype: command\ncode: ../src\n'
        "command: python run.py\n",
    )
    git_repo.commit("a component")
    release(git_repo)
    assert "components/src/run.py" in git_repo.run("ls-tree", "-r", "--name-only", BRANCH)
    write(git_repo.path, "components/src/run.py", "print(2)\n")
    git_repo.commit("change its code")
    plan = plan_release(git_repo.path, BRANCH, AssetSettings())
    assert statuses(plan)["train"][0] == "updated"


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_any_step_changes_nothing(repo: GitRepo, step: str) -> None:
    release(repo)
    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    env_asset(repo.path, "delta-debian11", folder="envs/delta", dockerfile="FROM busybox:1\n")
    repo.commit("changes")
    before = refs(repo)

    def fail(name: str) -> None:
        if name == step:
            raise EnvyardError(f"injected failure at {name}")

    with pytest.raises(EnvyardError, match=f"injected failure at {step}"):
        release(repo, on_step=fail)
    assert refs(repo) == before


def test_a_concurrent_release_makes_the_transaction_fail(repo: GitRepo) -> None:
    release(repo)
    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    repo.commit("change")
    tags_before = repo.tags()

    def race(name: str) -> None:
        if name == "refs":  # someone else moves the release branch meanwhile
            tree = repo.run("rev-parse", f"{BRANCH}^{{tree}}")
            other = repo.run("commit-tree", tree, "-p", BRANCH, "-m", "concurrent")
            repo.run("update-ref", f"refs/heads/{BRANCH}", other)

    with pytest.raises(EnvyardError, match="git update-ref failed"):
        release(repo, on_step=race)
    assert repo.tags() == tags_before
    assert repo.run("log", "-1", "--format=%s", BRANCH) == "concurrent"


def test_a_failed_lookup_mid_release_changes_nothing(
    repo: GitRepo, oci_registry: OciRegistry
) -> None:
    release(repo)
    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    missing = unique_name("missing")
    write(
        repo.path,
        "envs/beta/context/Dockerfile",
        f"FROM {oci_registry.host}/{missing}:{{{{latest-image-tag}}}}\n",
    )
    repo.commit("break beta")
    before = refs(repo)
    with pytest.raises(EnvyardError) as info:
        release(repo)
    assert "envs/beta/context/Dockerfile:1:" in str(info.value)
    assert refs(repo) == before


def test_refuses_when_the_release_branch_is_checked_out(repo: GitRepo) -> None:
    release(repo)
    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    repo.commit("change")
    repo.checkout(BRANCH)
    with pytest.raises(ConflictError, match="checked out"):
        release(repo)


def test_cli_dry_run_prints_the_plan_and_changes_nothing(
    repo: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    before = refs(repo)
    argv = ["asset", "release", "--repo", str(repo.path), "--release-branch", BRANCH]
    assert run([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 new, 0 updated, 0 unchanged" in out
    assert "new       environment/alpha-debian11  1" in out
    assert refs(repo) == before
    assert run(argv) == 0
    assert "network requests:" in capsys.readouterr().out
    assert run(argv) == 0
    assert "nothing to release (0 network requests)" in capsys.readouterr().out


def test_a_folder_of_the_repository_is_released_on_its_own(git_repo: GitRepo) -> None:
    env_asset(git_repo.path / "team-a", "one-debian11", dockerfile="FROM busybox:1\n")
    env_asset(git_repo.path / "team-b", "two-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("two teams")
    settings = AssetSettings()
    plan = plan_release(git_repo.path / "team-a", BRANCH, settings)
    assert statuses(plan) == {"one-debian11": ("new", "1")}
    apply_release(plan, settings)
    plan = plan_release(git_repo.path / "team-b", BRANCH, settings)
    assert statuses(plan) == {"two-debian11": ("new", "1")}  # team-a's asset is not "removed"


def test_removing_one_asset_keeps_release_paths_another_asset_shares(git_repo: GitRepo) -> None:
    write(git_repo.path, "shared/lib.py", "x = 1\n")
    extra = "release_paths:\n  - ../../shared\n"
    env_asset(
        git_repo.path,
        "a-debian11",
        folder="envs/a",
        dockerfile="FROM busybox:1\n",
        extra_asset=extra,
    )
    env_asset(
        git_repo.path,
        "b-debian11",
        folder="envs/b",
        dockerfile="FROM busybox:1\n",
        extra_asset=extra,
    )
    git_repo.commit("two assets sharing code")
    release(git_repo)
    git_repo.run("rm", "-r", "--quiet", "envs/b")
    git_repo.commit("drop b")
    plan, _ = release(git_repo)
    assert statuses(plan) == {
        "a-debian11": ("unchanged", "1"),
        "b-debian11": ("removed", "1"),
    }
    files = git_repo.run("ls-tree", "-r", "--name-only", BRANCH).splitlines()
    assert "shared/lib.py" in files
    assert not any(f.startswith("envs/b/") for f in files)


def test_the_plan_notes_uncommitted_changes(git_repo: GitRepo) -> None:
    env_asset(git_repo.path, "note-debian11", dockerfile="FROM busybox:1\n")
    git_repo.commit("one")
    assert not plan_release(git_repo.path, BRANCH, AssetSettings()).dirty
    write(git_repo.path, "note-debian11/context/Dockerfile", "FROM busybox:2\n")
    plan = plan_release(git_repo.path, BRANCH, AssetSettings())
    assert plan.dirty
    assert "uncommitted changes" in plan.render()


def test_a_fresh_clone_continues_the_remote_release_branch(repo: GitRepo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A clone has ``origin/release`` and no local ``release``: the release starts from it (as
    ``git switch release`` would), never as a new unrelated branch; ``origin/release`` itself
    is refused with the name to pass."""
    _, first = release(repo)
    clone = repo.clone(tmp_path / "clone")
    assert clone.run("branch", "--list", BRANCH) == ""
    assert clone.head(f"refs/remotes/origin/{BRANCH}") == first.commit

    plan = plan_release(clone.path, BRANCH, AssetSettings())
    assert plan.head == first.commit and plan.upstream == f"origin/{BRANCH}"
    assert {s for s, _ in statuses(plan).values()} == {"unchanged"}
    assert f"(from origin/{BRANCH}; the local branch is created)" in plan.render()

    write(clone.path, "envs/alpha/context/extra.txt", "more\n")
    clone.commit("change alpha")
    plan, result = release(clone)
    assert statuses(plan)["alpha-debian11"] == ("updated", "2")
    assert clone.head(f"refs/heads/{BRANCH}") == result.commit
    assert clone.run("rev-parse", f"{result.commit}^") == first.commit  # continues the remote's
    assert clone.head(f"refs/remotes/origin/{BRANCH}") == first.commit  # remote ref untouched

    with pytest.raises(ConflictError, match="remote-tracking branch") as caught:
        plan_release(clone.path, f"origin/{BRANCH}", AssetSettings())
    assert caught.value.hint is not None and f"--release-branch {BRANCH}" in caught.value.hint


def test_several_remotes_with_the_branch_and_no_local_one_are_refused(
    repo: GitRepo, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    release(repo)
    clone = repo.clone(tmp_path / "clone")
    clone.add_remote("mirror", repo.path)
    clone.run("fetch", "-q", "mirror")
    with pytest.raises(
        ConflictError, match=r"several remotes have one \(mirror/release, origin/release\)"
    ):
        plan_release(clone.path, BRANCH, AssetSettings())


def test_a_local_release_branch_behind_the_remote_one_is_warned(repo: GitRepo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Someone released since the local ``release`` was last updated: the plan says so (a
    release from it would fork from an older release) and how to update it; in step, or
    ahead only, it says nothing."""
    release(repo)
    clone = repo.clone(tmp_path / "clone")
    clone.run("branch", BRANCH, f"origin/{BRANCH}")
    assert plan_release(clone.path, BRANCH, AssetSettings()).stale is None

    write(repo.path, "envs/alpha/context/extra.txt", "more\n")
    repo.commit("change alpha")
    release(repo)  # upstream moves on
    clone.run("fetch", "-q", "origin")
    plan = plan_release(clone.path, BRANCH, AssetSettings())
    assert plan.stale is not None
    assert f"'{BRANCH}' lacks 1 commit(s) of origin/{BRANCH}" in plan.stale
    assert f"git branch -f {BRANCH} origin/{BRANCH}" in plan.stale
    assert f"warning: {plan.stale}" in plan.render()

    clone.run("branch", "-f", BRANCH, f"origin/{BRANCH}")
    assert plan_release(clone.path, BRANCH, AssetSettings()).stale is None

    write(clone.path, "envs/alpha/context/local.txt", "mine\n")
    clone.commit("change alpha here")
    release(clone)  # ahead only: nothing to say
    assert plan_release(clone.path, BRANCH, AssetSettings()).stale is None
    write(repo.path, "envs/alpha/context/extra.txt", "even more\n")
    repo.commit("change alpha again")
    release(repo)
    clone.run("fetch", "-q", "origin")
    diverged = plan_release(clone.path, BRANCH, AssetSettings()).stale
    assert diverged is not None and "and has 1 of its own" in diverged
    assert f"git merge origin/{BRANCH} on '{BRANCH}'" in diverged
