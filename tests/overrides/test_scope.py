"""What gets staged: pipelines expand to their components, references are followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.errors import SpecError
from envyard.overrides.staging.scope import collect

from .conftest import write


def test_pipeline_expands_to_component_specs_and_their_references(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pipelines/p.yaml": "module_loader:\n  local_steps_folder: ../steps\n",
            "steps/a/spec.yaml": (
                "name: a\nenvironment:\n  conda:\n    conda_dependencies_file: c.yaml\n"
            ),
            "steps/a/c.yaml": "dependencies: []\n",
            "steps/b/train.spec.yaml": "name: b\ncode: src\nadditional_includes: [../shared.txt]\n",
            "steps/b/src/run.py": "print(1)\n",
            "steps/shared.txt": "x\n",
            "steps/b/notes.yaml": "not: a component\n",
        },
    )
    scope = collect([Path("pipelines/p.yaml")], tmp_path)
    staged = {str(p.relative_to(tmp_path)): i for p, i in scope.items.items()}
    assert sorted(staged) == [
        "pipelines/p.yaml",
        "steps/a/c.yaml",
        "steps/a/spec.yaml",
        "steps/b/src",
        "steps/b/train.spec.yaml",
        "steps/shared.txt",
    ]
    assert not staged["pipelines/p.yaml"].rules  # the pipeline is copied as it is
    assert staged["steps/a/c.yaml"].rules and staged["steps/a/c.yaml"].referenced
    assert staged["steps/b/src"].is_dir
    assert staged["steps/shared.txt"].raw == b"x\n"


def test_missing_steps_folder_points_at_the_pipeline_line(tmp_path: Path) -> None:
    write(tmp_path, {"p.yaml": "run: {}\nmodule_loader:\n  local_steps_folder: nope\n"})
    with pytest.raises(SpecError) as info:
        collect([Path("p.yaml")], tmp_path)
    assert str(info.value).startswith(
        "p.yaml:3:23: module_loader.local_steps_folder: folder 'nope' does not exist"
    )


def test_symlink_escaping_the_project_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "outside", {"secret.yaml": "a: 1\n"})
    write(tmp_path / "p", {"spec.yaml": "name: x\nconda_file: link.yaml\n"})
    (tmp_path / "p" / "link.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    with pytest.raises(SpecError, match="points outside the project"):
        collect([Path("spec.yaml")], tmp_path / "p")


def test_symlink_escaping_the_project_from_a_walked_steps_folder_is_refused(
    tmp_path: Path,
) -> None:
    write(tmp_path / "outside", {"secret.yaml": "a: 1\n"})
    pipeline = "module_loader:\n  local_steps_folder: steps\n"
    write(tmp_path / "p", {"pipeline.yaml": pipeline, "steps/a/spec.yaml": "conda_file: c.yaml\n"})
    (tmp_path / "p" / "steps" / "a" / "c.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    with pytest.raises(SpecError, match="points outside the project"):
        collect([Path("pipeline.yaml")], tmp_path / "p")


def test_registered_environment_references_are_not_paths(tmp_path: Path) -> None:
    write(tmp_path, {"s.yaml": "name: x\nenvironment:\n  conda: azureml:my-env:3\n"})
    scope = collect([Path("s.yaml")], tmp_path)
    assert len(scope.items) == 1


def test_pipeline_lists_its_components_and_may_live_outside_the_working_dir(
    tmp_path: Path,
) -> None:
    (tmp_path / ".git").mkdir()  # the repository bounds where components may live
    write(
        tmp_path,
        {
            "shared/steps/a/spec.yaml": "name: a\n",
            "shared/steps/b/spec.yaml": "name: b\n",
            "proj/pipeline.yaml": (
                "module_loader:\n  local_steps_folder: ../shared/steps\n  components:\n"
                "    - a/spec.yaml\n"
            ),
        },
    )
    scope = collect([Path("pipeline.yaml")], tmp_path / "proj")
    assert scope.base == tmp_path
    assert sorted(str(p.relative_to(tmp_path)) for p in scope.items) == [
        "proj/pipeline.yaml",
        "shared/steps/a/spec.yaml",
    ]


def test_components_may_not_leave_the_repository(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "outside/spec.yaml": "name: x\nconda_file: /etc/hostname\n",
            "repo/proj/pipeline.yaml": (
                "module_loader:\n  components:\n    - ../../outside/spec.yaml\n"
            ),
        },
    )
    (tmp_path / "repo" / ".git").mkdir()
    with pytest.raises(SpecError) as info:
        collect([Path("pipeline.yaml")], tmp_path / "repo" / "proj")
    assert "module_loader.components[0]: file '../../outside/spec.yaml' is outside" in str(
        info.value
    )


def test_listed_component_that_does_not_exist_points_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"p.yaml": "module_loader:\n  components:\n    - ok.yaml\n    - gone.yaml\n"})
    (tmp_path / "ok.yaml").write_text("name: ok\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        collect([Path("p.yaml")], tmp_path)
    assert str(info.value).startswith(
        "p.yaml:4:7: module_loader.components[1]: file 'gone.yaml' does not exist"
    )


def test_a_referenced_file_named_directly_is_still_a_reference(tmp_path: Path) -> None:
    write(tmp_path, {"c/a.yaml": "deps: []\n", "c/spec.yaml": "name: x\nconda_file: a.yaml\n"})
    scope = collect([Path("c")], tmp_path)  # the folder names a.yaml before spec.yaml
    assert scope.items[tmp_path / "c" / "a.yaml"].referenced
    assert not scope.items[tmp_path / "c" / "spec.yaml"].referenced
