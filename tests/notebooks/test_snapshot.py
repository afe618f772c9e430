"""Snapshot working directories and the staged conda file (add_pip_dependency)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.notebooks.helpers import write_notebook

from envyard.errors import ConfigError
from envyard.notebooks.snapshot import add_pip_dependency, build_snapshot
from envyard.spec.notebooks import NotebookSettings


def _tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_listed_files_only_with_repo_layout(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    nb = write_notebook(repo / "nbs" / "n.ipynb", "pass")
    (repo / "nbs" / "big.bin").write_bytes(b"x" * 10)
    (repo / "data").mkdir()
    (repo / "data" / "x.csv").write_text("1", encoding="utf-8")
    (repo / "data" / "y.csv").write_text("2", encoding="utf-8")
    settings = NotebookSettings(files=["../data/*.csv"])
    snap = build_snapshot(nb, settings, tmp_path / "snap")
    assert _tree(tmp_path / "snap") == ["data/x.csv", "data/y.csv", "nbs/n.ipynb"]
    assert snap.cwd == tmp_path / "snap" / "nbs"


def test_default_snapshot_is_the_notebooks_folder_without_other_notebooks(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "src" / "n.ipynb", "pass")
    write_notebook(tmp_path / "src" / "other.ipynb", "pass")
    (tmp_path / "src" / "helper.py").write_text("X = 1\n", encoding="utf-8")
    build_snapshot(nb, NotebookSettings(), tmp_path / "snap")
    assert _tree(tmp_path / "snap") == ["helper.py", "n.ipynb"]


def test_paths_may_not_leave_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    nb = write_notebook(repo / "n.ipynb", "pass")
    (tmp_path / "secret.txt").write_text("s", encoding="utf-8")
    with pytest.raises(ConfigError, match="outside"):
        build_snapshot(nb, NotebookSettings(files=["../secret.txt"]), tmp_path / "snap")
    with pytest.raises(ConfigError, match="matches nothing"):
        build_snapshot(nb, NotebookSettings(files=["nope/*.csv"]), tmp_path / "snap2")


def test_pip_requirements_go_into_a_staged_copy_of_the_conda_file(tmp_path: Path) -> None:
    nb = write_notebook(tmp_path / "n.ipynb", "pass")
    conda = tmp_path / "environment.yml"
    original = "name: demo  # keep me\ndependencies:\n  - python=3.11\n  - numpy\n"
    conda.write_text(original, encoding="utf-8")
    settings = NotebookSettings(conda_file="environment.yml", pip=["requests==2.32.0"])
    snap = build_snapshot(nb, settings, tmp_path / "snap")
    assert conda.read_text(encoding="utf-8") == original  # the user's file is untouched
    staged = (snap.conda_file or Path()).read_text(encoding="utf-8")
    assert "# keep me" in staged
    assert staged.endswith("  - numpy\n  - pip\n  - pip:\n      - requests==2.32.0\n")


def test_add_pip_dependency_extends_an_existing_pip_list_once() -> None:
    text = "dependencies:\n  - pip\n  - pip:\n      - a==1\n"
    out = add_pip_dependency(text, ["a==1", "b>=2"])
    assert out == "dependencies:\n  - pip\n  - pip:\n      - a==1\n      - b>=2\n"


def test_target_overrides_apply_to_the_staged_conda_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "targets.yaml").write_text(
        "targets:\n  - name: gpu\n    backend: local\n    overrides: pipeline.yaml\n",
        encoding="utf-8",
    )
    (tmp_path / "pipeline.yaml").write_text(
        "tenant_overrides:\n  gpu:\n    name:\n      cpu-env: gpu-env\n", encoding="utf-8"
    )
    nb = write_notebook(tmp_path / "n.ipynb", "pass")
    original = "name: cpu-env\ndependencies:\n  - python=3.11\n"
    (tmp_path / "environment.yml").write_text(original, encoding="utf-8")
    settings = NotebookSettings(conda_file="environment.yml", pip=["six"], target="gpu")
    snap = build_snapshot(nb, settings, tmp_path / "snap")
    staged = (snap.conda_file or Path()).read_text(encoding="utf-8")
    assert staged.startswith("name: gpu-env\n") and "- six" in staged
    assert (tmp_path / "environment.yml").read_text(encoding="utf-8") == original


def test_links_inside_a_listed_folder_may_not_leave_the_repository(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "key.txt").write_text("TOPSECRET")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write_notebook(repo / "nb" / "a.ipynb", "x = 1")
    (repo / "nb" / "data").mkdir()
    (repo / "nb" / "data" / "inside.txt").write_text("ok")
    (repo / "nb" / "data" / "link.txt").symlink_to(tmp_path / "outside" / "key.txt")
    with pytest.raises(ConfigError, match=r"symbolic link to .*, outside the repository"):
        build_snapshot(repo / "nb" / "a.ipynb", NotebookSettings(files=["data"]), tmp_path / "s")
    assert not (tmp_path / "s" / "nb" / "data" / "link.txt").exists()


def test_links_beside_the_notebook_are_copied_as_content_or_refused(tmp_path: Path) -> None:
    """Issue 18 item 6: the default snapshot (the plain files of the notebook's folder)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "key.txt").write_text("TOPSECRET", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "data").mkdir()
    (repo / "data" / "table.csv").write_text("a,b", encoding="utf-8")
    nb = write_notebook(repo / "nbs" / "n.ipynb", "pass")
    (repo / "nbs" / "table.csv").symlink_to(repo / "data" / "table.csv")
    snap = build_snapshot(nb, NotebookSettings(), tmp_path / "snap")
    copied = snap.cwd / "table.csv"
    assert not copied.is_symlink() and copied.read_text(encoding="utf-8") == "a,b"
    (repo / "nbs" / "key.txt").symlink_to(tmp_path / "outside" / "key.txt")
    with pytest.raises(ConfigError, match=r"nbs/key.txt' is a symbolic link to .*outside"):
        build_snapshot(nb, NotebookSettings(), tmp_path / "snap2")
    assert not (tmp_path / "snap2" / "nbs" / "key.txt").exists()


def test_a_run_never_reads_a_file_from_outside_the_repository(tmp_path: Path) -> None:
    from envyard.notebooks.session import SessionRequest, run_session

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "key.txt").write_text("TOPSECRET", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write_notebook(repo / "nbs" / "reads.ipynb", "print(open('key.txt').read())")
    (repo / "nbs" / "key.txt").symlink_to(tmp_path / "outside" / "key.txt")
    (repo / "nbs" / "listed.ipynb").write_bytes((repo / "nbs" / "reads.ipynb").read_bytes())
    (repo / "nbs" / "notebooks.yaml").write_text(
        "notebooks:\n  listed.ipynb:\n    files: [key.txt]\n", encoding="utf-8"
    )
    report = run_session(SessionRequest([repo / "nbs"], output_dir=tmp_path / "out"))
    for result in report.results:
        assert (result.status, result.reason) == ("error", "config"), result
        assert "symbolic link" in result.message and "key.txt" in result.message
    listed = next(r for r in report.results if r.name == "listed.ipynb")
    assert listed.message.startswith(f"{repo / 'nbs' / 'notebooks.yaml'}:3:13 files[0]: ")
    assert "TOPSECRET" not in "".join(p.read_text() for p in (tmp_path / "out").rglob("*.*"))
