"""shrike 2.0.2's layout: settings, index removal, use_local and the aml config, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run
from envyard.errors import SpecError
from envyard.overrides import resolve_target, staged
from envyard.overrides.matching.indexes import SHRIKE_FEEDS

from .conftest import digest, write

FEED = SHRIKE_FEEDS[0]


def _project(
    root: Path, *, use_local: str = '"*"', allow: str = "true", keep: str = "false"
) -> None:
    write(
        root,
        {
            "config/aml/eyeson.yaml": "tenant: 72f988bf-86f1-41af-91ab-2d7cd011db47\n",
            "config/aml/eyesoff.yaml": "aml:\n  tenant: cdc5aeea-15c5-4db6-b079-fcadd2505dc2\n",
            "config/experiments/p.yaml": f"""
                defaults:
                  - aml: eyeson
                modules:
                  manifest:
                    - key: a
                      yaml: a/spec.yaml
                    - key: b
                      yaml: b/spec.yaml
                module_loader:
                  local_steps_folder: ../../components
                  use_local: {use_local}
                tenant_overrides:
                  allow_override: {allow}
                  keep_modified_files: {keep}
                  mapping:
                    72f988bf-86f1-41af-91ab-2d7cd011db47:
                      remove_polymer_pkg_idx: true
                      tags:
                        workspace: eyeson
                        missing: added
            """,
            "components/a/spec.yaml": """
                name: a
                tags: {workspace: eyesoff}
                environment:
                  conda:
                    pip_requirements_file: requirements.txt
            """,
            "components/a/requirements.txt": f"numpy==2.0\n{FEED}\ntorch\n",
            "components/b/spec.yaml": "name: b\ntags:\n  workspace: eyesoff\n",
        },
    )


def test_tenant_from_the_aml_config_and_index_lines_removed(tmp_path: Path) -> None:
    _project(tmp_path)
    before = digest(tmp_path)
    with staged([Path("config/experiments/p.yaml")], target=None, cwd=tmp_path) as s:
        assert s.plan.target is not None
        assert "config/aml/eyeson.yaml named by" in s.plan.target.source
        reqs = (s.root / "components/a/requirements.txt").read_text(encoding="utf-8")
        spec_a = (s.root / "components/a/spec.yaml").read_text(encoding="utf-8")
        spec_b = (s.root / "components/b/spec.yaml").read_text(encoding="utf-8")
    assert reqs == "numpy==2.0\ntorch\n"
    assert "tags: {workspace: eyeson}" in spec_a
    assert "missing" not in spec_a + spec_b  # shrike sets only the keys a mapping has
    assert "workspace: eyeson" in spec_b
    assert digest(tmp_path) == before


@pytest.mark.parametrize(
    ("use_local", "staged_specs"),
    [
        ('"*"', {"a", "b"}),
        ('"a"', {"a"}),
        ("[b]", {"b"}),
        ('"!a"', {"b"}),
        ('""', set()),
    ],
)
def test_use_local_selects_the_components_staged(
    tmp_path: Path, use_local: str, staged_specs: set[str]
) -> None:
    _project(tmp_path, use_local=use_local)
    with staged([Path("config/experiments/p.yaml")], target=None, cwd=tmp_path) as s:
        found = {p.parent.name for p in s.root.rglob("spec.yaml")}
    assert found == staged_specs


def test_use_local_mixing_keys_and_exclusions_is_an_error_at_its_line(tmp_path: Path) -> None:
    _project(tmp_path, use_local='"a, !b"')
    with (
        pytest.raises(SpecError, match=r"p\.yaml:11:14: module_loader\.use_local: mixes"),
        staged([Path("config/experiments/p.yaml")], target=None, cwd=tmp_path),
    ):
        pass  # pragma: no cover


def test_allow_override_false_changes_nothing_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, allow="false")
    monkeypatch.chdir(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-out"
    assert run(["override", "apply", "config/experiments/p.yaml", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "allow_override is not true: nothing is overridden" in err
    assert (out / "components/b/spec.yaml").read_bytes() == (
        tmp_path / "components/b/spec.yaml"
    ).read_bytes()


def test_keep_modified_files_keeps_the_staging_and_prints_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path, keep="true")
    with staged([Path("config/experiments/p.yaml")], target=None, cwd=tmp_path) as s:
        root = s.root
    assert root.is_dir()
    assert f"kept in {root}" in capsys.readouterr().err


def test_target_naming_an_aml_config_uses_its_tenant(tmp_path: Path) -> None:
    _project(tmp_path)
    resolved = resolve_target(
        "eyesoff", None, tmp_path, overrides=tmp_path / "config/experiments/p.yaml"
    )
    assert resolved.target.tenant_id == "cdc5aeea-15c5-4db6-b079-fcadd2505dc2"
    assert resolved.profile_key is None  # no profile for that tenant: unchanged copies
    assert "no profile" in resolved.notes[0]


def test_a_complex_key_in_an_overrides_file_is_a_one_line_user_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        {
            "o.yaml": "tenant_overrides:\n  t:\n    ? [environment, docker]\n    : {a: b}\n",
            "s.yaml": "name: s\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    code = run(["override", "apply", "-t", "t", "--overrides", "o.yaml", "s.yaml", "--dry-run"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("o.yaml:3:")
    assert "Traceback" not in err


def test_a_rule_that_matches_but_changes_nothing_is_a_warning_naming_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "o.yaml": """
                tenant_overrides:
                  t:
                    environment.docker.image:
                      'registry/(.+)': 'registry/\\g<1>'
                    tags:
                      absent: x
            """,
            "s.yaml": "name: s\ntags: eyesoff\nenvironment:\n  docker:\n    image: registry/a:1\n",
        },
    )
    with staged([Path("s.yaml")], target="t", overrides=tmp_path / "o.yaml", cwd=tmp_path) as s:
        warnings = [w.render() for w in s.warnings]
        assert (s.root / "s.yaml").read_bytes() == (tmp_path / "s.yaml").read_bytes()
    assert len(warnings) == 2
    assert "o.yaml:3:5: warning:" in warnings[0]
    assert "rule 'environment.docker.image' selected fields but changed none" in warnings[0]
    assert "rule 'tags' selected fields but changed none" in warnings[1]


def test_yaml_11_booleans_in_settings_are_read_as_shrike_reads_them_with_a_warning(
    tmp_path: Path,
) -> None:
    _project(tmp_path, allow="yes", keep="off")
    resolved = resolve_target(None, None, tmp_path, specs=[tmp_path / "config/experiments/p.yaml"])
    assert resolved.rules  # allow_override: yes is true, as OmegaConf reads it
    assert not resolved.keep_modified_files
    assert any("OVR001 'yes' is a YAML 1.1 boolean" in n for n in resolved.notes)
