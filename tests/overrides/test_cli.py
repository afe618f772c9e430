"""`envyard override apply/explain` as a user runs them: exit codes, output, files on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from envyard.cli.main import run

from .conftest import digest, write

PIPELINE = """
tenant_overrides:
  tenant-a:
    image:
      'prod/(.+)': 'dev/$1'
    missing.field:
      $remove: true
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    write(root, {"pipeline.yaml": PIPELINE, "specs/a.yaml": "# a\nname: a\nimage: prod/a:1\n"})
    monkeypatch.chdir(root)
    return root


def test_dry_run_prints_a_diff_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = digest(project.parent)
    assert run(["override", "apply", "-t", "tenant-a", "--dry-run", "specs/a.yaml"]) == 0
    captured = capsys.readouterr()
    assert captured.out == (
        "--- a/specs/a.yaml\n+++ b/specs/a.yaml\n@@ -1,3 +1,3 @@\n # a\n name: a\n"
        "-image: prod/a:1\n+image: dev/a:1\n"
    )
    assert "pipeline.yaml:5:5: warning: tenant_overrides.tenant-a: rule 'missing.field'" in (
        captured.err
    )
    assert digest(project.parent) == before


def test_strict_turns_the_unmatched_rule_into_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project.parent / "out"
    code = run(
        ["override", "apply", "-t", "tenant-a", "--strict", "specs/a.yaml", "--out", str(out)]
    )
    assert code == 1
    assert (
        "pipeline.yaml:5:5: tenant_overrides.tenant-a: rule 'missing.field' matched no field"
        in (capsys.readouterr().err)
    )
    assert not out.exists()


def test_out_writes_and_keeps_the_staged_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = project.parent / "out"
    assert run(["override", "apply", "-t", "tenant-a", "specs", "--out", str(out)]) == 0
    assert (out / "specs/a.yaml").read_text(encoding="utf-8") == "# a\nname: a\nimage: dev/a:1\n"
    assert "1 field(s) changed in 1 file(s)" in capsys.readouterr().out


def test_target_from_environment_and_explain(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVYARD_TARGET", "tenant-a")
    assert run(["override", "explain", "specs/a.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "target 'tenant-a' (ENVYARD_TARGET): profile 'tenant-a' from pipeline.yaml\n"
    )
    assert (
        "specs/a.yaml:3 image: prod/a:1 -> dev/a:1  "
        "(rule 'image' of profile 'tenant-a' at pipeline.yaml:4)\n" in out
    )


def test_explicit_overrides_file_and_spec_that_does_not_exist(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pipeline.yaml").rename(project / "rules.yaml")
    code = run(["override", "apply", "-t", "tenant-a", "--overrides", "rules.yaml", "nope.yaml"])
    assert code == 1
    assert capsys.readouterr().err.endswith(
        "nope.yaml: file does not exist (hint: check the path)\n"
    )


def test_override_appears_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["override", "--help"]) == 0
    out = capsys.readouterr().out
    assert "apply" in out
    assert "explain" in out


def test_without_out_the_copies_are_kept_in_a_new_temporary_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    assert run(["override", "apply", "-t", "tenant-a", "specs/a.yaml"]) == 0
    where = Path(capsys.readouterr().out.rsplit("-> ", 1)[1].strip())
    assert where.parent == Path(tempfile.gettempdir())
    assert (where / "specs/a.yaml").read_text(encoding="utf-8").endswith("image: dev/a:1\n")
    assert run(["override", "apply", "-t", "tenant-a", "specs/a.yaml", "bad.yaml"]) == 1
    assert sorted(p.name for p in where.parent.iterdir() if p.name.startswith("envyard")) == [
        where.name
    ]
