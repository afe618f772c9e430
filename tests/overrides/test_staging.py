"""Staged copies: originals stay byte-identical whatever happens; references keep working."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from envyard.errors import ConflictError, NotFoundError, SpecError
from envyard.overrides import staged
from envyard.overrides.staging import planner as staging_module
from envyard.overrides.staging import write as writer_module

from .conftest import digest, write

PIPELINE = """
module_loader:
  local_steps_folder: components
tenant_overrides:
  prod:
    environment.docker.image:
      'polymerprod.azurecr.io/polymercd/prod_official/(.+)': 'polymerdev.azurecr.io/dev/$1'
    tags:
      eyesoff: eyeson
    $..pip[*]:
      '--index-url https://old.example/(.*)': '--index-url https://new.example/\\1'
"""

SPEC = """
# component {i}
name: comp-{i}
tags: {{owner: me}}  # flow mapping
environment:
  docker:
    image: polymerprod.azurecr.io/polymercd/prod_official/base:{i}
  conda:
    conda_dependencies_file: conda.yaml
"""

CONDA = """
name: env
dependencies:
  - python=3.11
  - pip:
    - a=={i}
    - --index-url https://old.example/simple/
"""


def _components(root: Path, n: int) -> None:
    files = {"pipeline.yaml": PIPELINE}
    for i in range(n):
        files[f"components/c{i:04d}/spec.yaml"] = SPEC.format(i=i)
        files[f"components/c{i:04d}/conda.yaml"] = CONDA.format(i=i)
    write(root, files)


def _staging_dirs() -> set[str]:
    return {
        p.name for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith("envyard-stage-")
    }


def test_pipeline_components_and_conda_files_are_staged(tmp_path: Path) -> None:
    _components(tmp_path, 3)
    before = digest(tmp_path)
    with staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path) as result:
        spec = result.paths[(tmp_path / "components/c0001/spec.yaml").resolve()]
        assert spec == result.root / "components/c0001/spec.yaml"
        text = spec.read_text(encoding="utf-8")
        conda = (spec.parent / "conda.yaml").read_text(encoding="utf-8")
        assert "image: polymerdev.azurecr.io/dev/base:1\n" in text
        assert "tags: {owner: me, eyesoff: eyeson}  # flow mapping\n" in text
        assert text.startswith("# component 1\n")
        assert "    - --index-url https://new.example/simple/\n" in conda
        assert (result.root / "pipeline.yaml").read_bytes() == (
            tmp_path / "pipeline.yaml"
        ).read_bytes()
        assert result.warnings == []
        fields = {
            c.field for c in result.changes[(tmp_path / "components/c0001/spec.yaml").resolve()]
        }
        assert fields == {"environment.docker.image", "tags.eyesoff"}
        root = result.root
    assert not root.exists()
    assert digest(tmp_path) == before


def test_failure_on_the_500th_spec_leaves_originals_and_no_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _components(tmp_path, 600)
    before = digest(tmp_path)
    existing = _staging_dirs()
    real = staging_module.plan_file
    calls: list[str] = []

    def failing(item: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(item.real.parent.name)
        if item.real.parent.name == "c0499":  # the 500th component (spec and conda file)
            raise RuntimeError("injected failure on spec 500")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(staging_module, "plan_file", failing)
    with (
        pytest.raises(RuntimeError, match="injected"),
        staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path),
    ):
        pass  # pragma: no cover - never reached
    assert calls[-1] == "c0499"
    assert len(calls) == 1 + 2 * 499 + 1  # the pipeline, 499 components, then the spec
    assert digest(tmp_path) == before
    assert _staging_dirs() == existing


def test_failure_while_writing_removes_the_partial_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _components(tmp_path, 520)
    before = digest(tmp_path)
    existing = _staging_dirs()
    real = writer_module._write_text
    calls: list[str] = []
    lock = threading.Lock()

    def failing(dest: Any, *args: Any, **kwargs: Any) -> None:
        with lock:
            calls.append(str(dest))
        if str(dest).endswith("c0499/spec.yaml"):  # the 500th component's spec
            raise OSError(28, "No space left on device (injected)")
        real(dest, *args, **kwargs)

    monkeypatch.setattr(writer_module, "_write_text", failing)
    with (
        pytest.raises(OSError, match="injected"),
        staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path),
    ):
        pass  # pragma: no cover - never reached
    assert any(c.endswith("c0499/spec.yaml") for c in calls)
    assert digest(tmp_path) == before
    assert _staging_dirs() == existing


def test_two_components_sharing_one_spec_file(tmp_path: Path) -> None:
    _components(tmp_path, 1)
    shared = tmp_path / "components/c0000/spec.yaml"
    (tmp_path / "components/alias").mkdir()
    (tmp_path / "components/alias/spec.yaml").symlink_to(shared)
    (tmp_path / "components/alias/conda.yaml").symlink_to(tmp_path / "components/c0000/conda.yaml")
    before = digest(tmp_path)
    specs = [Path("components/c0000/spec.yaml"), Path("components/alias/spec.yaml"), shared]
    with staged(specs, target="prod", cwd=tmp_path) as result:
        # each place a component looks for its spec gets a copy made from the original
        assert result.paths[specs[0]] == result.paths[specs[2]]
        assert result.paths[specs[1]] == result.root / "components/alias/spec.yaml"
        texts = {result.paths[p].read_text(encoding="utf-8") for p in specs}
        assert len(texts) == 1
        text = texts.pop()
        assert text.count("polymerdev.azurecr.io/dev/base:0") == 1
        assert text.count("eyesoff: eyeson") == 1
        assert not result.paths[specs[1]].is_symlink()
    assert digest(tmp_path) == before
    assert shared.read_text(encoding="utf-8").count("polymerprod") == 1


def test_out_keeps_files_under_their_relative_paths(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _components(project, 2)
    out = tmp_path / "out"
    with staged([Path("components/*/spec.yaml")], target="prod", cwd=project, out=out) as result:
        assert result.root == out.resolve()
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == [
        "components/c0000/conda.yaml",
        "components/c0000/spec.yaml",
        "components/c0001/conda.yaml",
        "components/c0001/spec.yaml",
    ]
    assert "polymerdev" in (out / "components/c0001/spec.yaml").read_text(encoding="utf-8")


def test_out_over_the_originals_is_refused(tmp_path: Path) -> None:
    _components(tmp_path, 1)
    before = digest(tmp_path)
    with (
        pytest.raises(ConflictError, match="would overwrite the original"),
        staged([Path("pipeline.yaml")], target="prod", cwd=tmp_path, out=tmp_path),
    ):
        pass  # pragma: no cover - never reached
    assert digest(tmp_path) == before


def test_unmatched_rule_is_a_warning_and_strict_makes_it_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"pipeline.yaml": PIPELINE, "job.yaml": "name: j\nimage: other\n"})
    with staged([Path("job.yaml")], target="prod", cwd=tmp_path) as result:
        messages = [w.render() for w in result.warnings]
    assert len(messages) == 3
    assert messages[0].startswith("pipeline.yaml:5:5: warning: tenant_overrides.prod:")
    assert "rule 'environment.docker.image' matched no field" in messages[0]
    existing = _staging_dirs()
    strict = staged([Path("job.yaml")], target="prod", cwd=tmp_path, strict=True)
    with pytest.raises(SpecError) as info, strict:
        pass  # pragma: no cover
    assert "pipeline.yaml:7:5: tenant_overrides.prod: rule 'tags' matched no field" in str(
        info.value
    )
    assert _staging_dirs() == existing


@pytest.mark.parametrize(
    ("files", "spec", "message"),
    [
        ({"bad.yaml": "name: x\n  image: [\n"}, "bad.yaml", "bad.yaml:2:"),
        ({"bad.yaml": "just text, not a mapping\n"}, "bad.yaml", "expected a mapping"),
        (
            {"s.yaml": "name: x\nconda_file: ../outside.yaml\n"},
            "s.yaml",
            "s.yaml:2:13: conda_file: '../outside.yaml' points outside the project",
        ),
        (
            {"s.yaml": "name: x\nenvironment:\n  conda_file: missing.yaml\n"},
            "s.yaml",
            "s.yaml:3:15: environment.conda_file: referenced file 'missing.yaml' does not exist",
        ),
    ],
)
def test_bad_specs_stop_before_anything_is_staged(
    tmp_path: Path, files: dict[str, str], spec: str, message: str
) -> None:
    project = tmp_path / "p"
    write(project, {"pipeline.yaml": PIPELINE, "ok.yaml": "name: ok\n", **files})
    (tmp_path / "outside.yaml").write_text("a: 1\n", encoding="utf-8")
    before = digest(tmp_path)
    existing = _staging_dirs()
    stage = staged([Path("ok.yaml"), Path(spec)], target="prod", cwd=project)
    with pytest.raises(SpecError) as info, stage:
        pass  # pragma: no cover
    assert message in str(info.value)
    assert digest(tmp_path) == before
    assert _staging_dirs() == existing


def test_glob_matching_nothing_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yaml": PIPELINE})
    with (
        pytest.raises(NotFoundError, match="matches no file"),
        staged([Path("nothing/*.yaml")], target="prod", cwd=tmp_path),
    ):
        pass  # pragma: no cover - never reached


def test_folder_scope_and_job_and_environment_specs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pipeline.yaml": PIPELINE.replace("environment.docker.image", "$..image"),
            "specs/job.yaml": (
                "protocolVersion: 2\nname: j\ntaskRoles:\n  a:\n"
                "    image: polymerprod.azurecr.io/polymercd/prod_official/x:1\n"
            ),
            "specs/env.yaml": (
                "name: e\nversion: 1\nimage: polymerprod.azurecr.io/polymercd/prod_official/y\n"
            ),
        },
    )
    with staged([Path("specs")], target="prod", cwd=tmp_path) as result:
        job = (result.root / "specs/job.yaml").read_text(encoding="utf-8")
        env = (result.root / "specs/env.yaml").read_text(encoding="utf-8")
    assert "    image: polymerdev.azurecr.io/dev/x:1\n" in job
    assert "image: polymerdev.azurecr.io/dev/y\n" in env


def test_the_overrides_file_itself_is_copied_unchanged(tmp_path: Path) -> None:
    pipeline = "tenant_overrides:\n  prod:\n    $..image:\n      $set: changed\nimage: original\n"
    write(tmp_path, {"pipeline.yaml": pipeline, "spec.yaml": "image: a\n"})
    with staged([Path()], target="prod", cwd=tmp_path) as result:
        assert (result.root / "pipeline.yaml").read_text(encoding="utf-8") == pipeline
        assert (result.root / "spec.yaml").read_text(encoding="utf-8") == "image: changed\n"
