"""Target detection: --target, ENVYARD_TARGET, workspace config.json, config file names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envyard.errors import ConflictError, NotFoundError, SpecError
from envyard.overrides.profiles.targets import config_name, resolve_target

from .conftest import write

OVERRIDES = """
tenant_overrides:
  tenant-a:
    image:
      'a': 'from-tenant-a'
  personal:
    image:
      'a': 'from-personal'
  team:
    image:
      'a': 'from-team'
"""

TARGETS = """
targets:
  - name: eyeson
    tenant_id: tenant-a
  - name: mine
    workspace_config: ws/personal.json
  - name: cluster
    backend: ray
    profile: eyeson
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, {"overrides.yaml": OVERRIDES, "targets.yaml": TARGETS})
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "personal.json").write_text('{"workspace_name": "p"}', encoding="utf-8")
    return tmp_path


def test_target_by_name_tenant_id_and_profile_reference(project: Path) -> None:
    assert resolve_target("eyeson", None, project).profile_key == "tenant-a"
    by_tenant = resolve_target("tenant-a", None, project)
    assert (by_tenant.target.name, by_tenant.source) == ("eyeson", "--target")
    cluster = resolve_target("cluster", None, project)
    assert cluster.profile_key == "tenant-a"  # `profile: eyeson` names another target
    assert cluster.rules[0].key == "image"


def test_profile_keyed_by_the_workspace_config_file_name(project: Path) -> None:
    resolved = resolve_target("mine", None, project)
    assert resolved.profile_key == "personal"
    assert config_name(Path("x/personal.json")) == "personal"
    assert config_name(Path("personal/config.json")) == "personal"
    assert config_name(Path("proj/.azureml/config.json")) == "proj"


def test_env_var_comes_after_the_flag(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVYARD_TARGET", "cluster")
    assert resolve_target(None, None, project).target.name == "cluster"
    assert resolve_target(None, None, project).source == "ENVYARD_TARGET"
    assert resolve_target("eyeson", None, project).target.name == "eyeson"


def test_workspace_config_with_tenant_id_in_azureml_folder_of_a_parent(project: Path) -> None:
    (project / ".azureml").mkdir()
    (project / ".azureml" / "config.json").write_text(
        json.dumps({"subscription_id": "s", "tenant_id": "tenant-a"}), encoding="utf-8"
    )
    deep = project / "src" / "pkg"
    deep.mkdir(parents=True)
    resolved = resolve_target(
        None, project / "targets.yaml", deep, overrides=project / "overrides.yaml"
    )
    assert resolved.target.name == "eyeson"
    assert resolved.source == "workspace config " + str(project / ".azureml" / "config.json")


def test_workspace_config_named_by_its_folder_without_targets(tmp_path: Path) -> None:
    write(tmp_path, {"overrides.yaml": OVERRIDES, "personal/config.json": '{"a": 1}'})
    resolved = resolve_target(
        None, None, tmp_path / "personal", overrides=tmp_path / "overrides.yaml"
    )
    assert resolved.profile_key == "personal"
    assert resolved.rules[0].pairs[0].new == "from-personal"


def test_tenant_id_without_targets_file_uses_the_profile_directly(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yaml": "run: {}\n" + OVERRIDES})
    resolved = resolve_target("team", None, tmp_path)
    assert (resolved.target.name, resolved.profile_key) == ("team", "team")


def test_unknown_target_lists_targets_and_profiles(project: Path) -> None:
    with pytest.raises(NotFoundError) as info:
        resolve_target("nope", None, project)
    text = str(info.value)
    assert "unknown target 'nope'" in text
    assert "eyeson, mine, cluster" in text
    assert "tenant-a, personal, team" in text


def test_nothing_to_detect_is_a_clear_error(project: Path) -> None:
    with pytest.raises(NotFoundError, match="no target given and none detected"):
        resolve_target(None, None, project)


def test_profile_key_matching_two_targets_names_both(tmp_path: Path) -> None:
    targets = """
    targets:
      - name: team
      - name: other
        tenant_id: team
    """
    write(tmp_path, {"overrides.yaml": OVERRIDES, "targets.yaml": targets})
    with pytest.raises(ConflictError) as info:
        resolve_target("other", None, tmp_path)
    assert "matches targets 'team' (by name) and 'other' (by tenant_id)" in str(info.value)
    with pytest.raises(ConflictError, match=r"'team' .by name. and 'other' .by tenant_id."):
        resolve_target("team", None, tmp_path)


def test_profile_cycle_is_reported(tmp_path: Path) -> None:
    targets = """
    targets:
      - name: a
        profile: b
      - name: b
        profile: a
    """
    write(tmp_path, {"overrides.yaml": OVERRIDES, "targets.yaml": targets})
    with pytest.raises(ConflictError, match="cycle"):
        resolve_target("a", None, tmp_path)


def test_broken_workspace_config_points_at_the_line(tmp_path: Path) -> None:
    write(tmp_path, {"overrides.yaml": OVERRIDES, "config.json": '{\n  "tenant_id": ,\n}'})
    with pytest.raises(SpecError) as info:
        resolve_target(None, None, tmp_path)
    assert "config.json:2:" in str(info.value)


def test_envyard_toml_names_the_overrides_and_targets(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "conf/o.yaml": OVERRIDES,
            "conf/t.yaml": TARGETS,
            "envyard.toml": '[overrides]\nfile = "conf/o.yaml"\ntargets = "conf/t.yaml"\n',
        },
    )
    resolved = resolve_target("eyeson", None, tmp_path)
    assert resolved.overrides is not None
    assert resolved.overrides.path == (tmp_path / "conf" / "o.yaml").resolve()
    assert resolved.targets_file == tmp_path / "conf" / "t.yaml"
