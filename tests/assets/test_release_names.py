"""A name starting with '_' (OpenPAI accepts such job names; the one name rule allows it) is
a valid git ref component: an asset so named is released and tagged on a real repository."""

from __future__ import annotations

import subprocess

from envyard.assets.config import AssetSettings
from envyard.assets.release.apply import apply_release
from envyard.assets.release.plan import plan_release
from envyard.names import is_name
from envyard.testing.git import GitRepo

from .conftest import env_asset


def test_an_asset_named_with_a_leading_underscore_is_released(git_repo: GitRepo) -> None:
    name = "_nightly-debian11"
    assert is_name(name)
    env_asset(git_repo.path, name, folder="envs/nightly", dockerfile="FROM busybox:1\n")
    git_repo.commit("underscore asset")
    settings = AssetSettings()
    plan = plan_release(git_repo.path, "release", settings)
    assert [(i.name, i.status, i.version) for i in plan.items] == [(name, "new", "1")]
    result = apply_release(plan, settings)
    assert result.tags == [f"environment/{name}/1"]
    assert git_repo.tags() == [f"environment/{name}/1"]
    checked = subprocess.run(
        ["git", "check-ref-format", f"refs/tags/environment/{name}/1"], check=False
    )
    assert checked.returncode == 0
